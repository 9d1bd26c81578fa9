import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The result of reading and checking a journal.
public struct JournalVerification: Sendable {
    /// Records that verified, in order (empty when the journal was scanned without keeping them,
    /// see `JournalVerifier.scan`).
    public var records: [JournalRecord]
    /// How many records verified.
    public var recordCount: Int
    /// SHA-256 of the last verified line: paste it into the incident ticket as an anchor. Empty
    /// when no record verifies.
    public var headHash: String
    /// Byte length of the verified part.
    public var verifiedBytes: Int
    /// A torn final segment (a crash mid-write): its offset and length. Everything before it verified.
    public var tornTail: (offset: Int, length: Int)?
    /// Corruption or tampering: the first problem found. Nil when the chain holds.
    public var problem: String?

    /// Whether the journal verified (a torn tail alone is recoverable, not a failure).
    public var ok: Bool { problem == nil }

    init() {
        records = []
        recordCount = 0
        headHash = ""
        verifiedBytes = 0
    }
}

/// Reads a journal and checks every link of its hash chain.
///
/// A record counts as verified only once nothing speaks against it: when the record after it
/// names a different `prev`, the record before the break is left out too (it is the one that may
/// have been changed), so the verified part and its head end before the first record that fails.
public enum JournalVerifier {
    /// Reads the journal at `path` and checks it, keeping every verified record; throws only when
    /// the file cannot be read (damage is reported in the result's `problem`).
    public static func verify(path: String) throws(JournalError) -> JournalVerification {
        var records: [JournalRecord] = []
        var result = try scan(path: path) { records.append($0) }
        result.records = records
        return result
    }

    /// Reads the journal at `path` a piece at a time and checks it, handing each verified record
    /// to `visit` in order without keeping it: memory stays flat however long the journal is.
    public static func scan(path: String, visit: @escaping (JournalRecord) -> Void) throws(JournalError) -> JournalVerification {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw JournalError("cannot read '\(path)': \(errnoText(errno).lowercased())") }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
            throw JournalError("cannot read '\(path)': it is a directory")
        }
        var checker = ChainChecker(visit: visit)
        var buffer = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var consumed = 0  // file offset of buffer[0]
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw JournalError("cannot read '\(path)': \(errnoText(errno).lowercased())")
            }
            if n == 0 { break }
            buffer.append(contentsOf: chunk[0..<n])
            var start = 0
            while let newline = buffer[start...].firstIndex(of: 0x0A) {
                guard checker.line(buffer[start..<newline], at: consumed + start, complete: true) else { return checker.finish() }
                start = newline + 1
            }
            buffer.removeFirst(start)
            consumed += start
        }
        if !buffer.isEmpty { _ = checker.line(buffer[...], at: consumed, complete: false) }
        return checker.finish()
    }

    /// Checks a journal's bytes record by record, stopping at the first problem or torn tail.
    static func verify(bytes: [UInt8]) -> JournalVerification {
        var records: [JournalRecord] = []
        var checker = ChainChecker { records.append($0) }
        var start = 0
        while start < bytes.count {
            guard let newline = bytes[start...].firstIndex(of: 0x0A) else {
                _ = checker.line(bytes[start...], at: start, complete: false)
                break
            }
            guard checker.line(bytes[start..<newline], at: start, complete: true) else { break }
            start = newline + 1
        }
        var result = checker.finish()
        result.records = records
        return result
    }
}

/// The chain check, one line at a time. A verified record is handed on only when the next line
/// confirms it (or at the end), so a record the next `prev` speaks against is never counted.
struct ChainChecker {
    private let visit: (JournalRecord) -> Void
    private let decoder = JSONDecoder()
    private var result = JournalVerification()
    private var expectedPrev: String?
    private var seq = 0
    /// The last record that checked out, its hash and where its line ends, not yet confirmed.
    private var pending: (record: JournalRecord, hash: String, end: Int)?
    private var stopped = false

    init(visit: @escaping (JournalRecord) -> Void) { self.visit = visit }

    /// Checks the line at file offset `offset` (without its LF; `complete` is false for a last
    /// segment with no LF). Returns false once there is nothing more to check.
    mutating func line(_ line: ArraySlice<UInt8>, at offset: Int, complete: Bool) -> Bool {
        guard !stopped else { return false }
        // Each record is written with its LF in one write: only a last segment without LF can be torn.
        guard complete else {
            result.tornTail = (offset, line.count)
            return stop()
        }
        // The writer's own form is read directly; anything else is JSONDecoder's to judge.
        guard let record = JournalLineParser.parse(line) ?? (try? decoder.decode(JournalRecord.self, from: Data(line))) else {
            return stop("line \(seq + 1) (byte offset \(offset)) is not a valid journal record")
        }
        if record.seq != seq {
            return stop("sequence gap: expected seq \(seq), found \(record.seq) at line \(seq + 1) (a record was removed, duplicated or reordered)")
        }
        if seq == 0 {
            guard record.type == .runStart, let runId = record.runId else { return stop("the first record is not a run_start with a run id") }
            expectedPrev = JournalWriter.chainSeed(runId: runId)
        }
        if record.prev != expectedPrev {
            // The line before was changed, or this one was: neither counts as verified.
            pending = nil
            if seq == 0 { return stop("prev mismatch at seq 0: the first record's prev is not the chain seed of its run id") }
            return stop(
                "prev mismatch at seq \(seq): record \(seq - 1) (line \(seq)) was changed after it was written, or record \(seq) comes from another run"
            )
        }
        let hash = SHA256.hex(line)
        deliverPending()
        pending = (record, hash, offset + line.count + 1)
        expectedPrev = hash
        seq += 1
        return true
    }

    /// The result: what verified, and the first problem or torn tail.
    mutating func finish() -> JournalVerification {
        deliverPending()
        if result.recordCount == 0 && result.problem == nil {
            result.problem = "the journal holds no complete record (no run_start)"
        }
        stopped = true
        return result
    }

    private mutating func stop(_ problem: String? = nil) -> Bool {
        if let problem { result.problem = problem }
        deliverPending()
        stopped = true
        return false
    }

    private mutating func deliverPending() {
        guard let last = pending else { return }
        pending = nil
        visit(last.record)
        result.recordCount += 1
        result.headHash = last.hash
        result.verifiedBytes = last.end
    }
}

/// The whole journal file, with a read failure as a `JournalError`.
func readJournalBytes(_ path: String) throws(JournalError) -> [UInt8] {
    do {
        return try readRegularFile(path, limit: Int.max).bytesOrEmpty
    } catch {
        throw JournalError(error.description)
    }
}

extension FileContents {
    /// The bytes (a journal has no size limit, so `.tooLarge` cannot happen there).
    var bytesOrEmpty: [UInt8] {
        if case .bytes(let b) = self { return b }
        return []
    }
}
