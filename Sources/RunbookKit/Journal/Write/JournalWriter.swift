import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A failure to write or read the journal or the state directory.
public struct JournalError: Error, CustomStringConvertible, Sendable {
    /// What failed and why, lower-case, naming the file (`cannot create the journal '…': …`).
    public let message: String
    init(_ message: String) { self.message = message }
    /// The same text as `message`.
    public var description: String { message }
}

/// Appends hash-chained records to a run's journal: one `write` per record, and one `fdatasync`
/// per synced record, which also makes durable any written without a sync before it.
///
/// If a write or sync fails the writer is broken: it never retries (a retried
/// fsync can appear to succeed after the kernel dropped the dirty pages) and
/// every later append throws.
final class JournalWriter {
    /// Where the journal is (it can move with its run folder; the descriptor stays valid).
    private(set) var path: String
    let runId: String
    private let fd: Int32
    private var size: Int
    /// Sequence number of the next record.
    private(set) var nextSeq = 0
    /// SHA-256 of the last record's bytes (the head hash).
    private(set) var headHash: String
    private var broken: String?
    /// A record was written without a sync since the last one.
    private(set) var pendingSync = false
    private let clock: any RunClock
    /// Debug builds: the record whose write fails as if the disk did (RUNBOOK_TEST_JOURNAL_FAIL_AT_SEQ).
    private let failAtSeq: Int?

    /// The longest line the journal holds, without its LF: 64 KiB.
    static let lineLimit = 64 * 1024

    /// The seed of the hash chain for a run.
    static func chainSeed(runId: String) -> String {
        SHA256.hex(Array("runbook-journal-v1\u{0}".utf8) + Array(runId.utf8))
    }

    /// Creates a new journal file (0600, refusing an existing file or a symlink) and syncs its folder.
    init(creating path: String, runId: String, clock: any RunClock, failAtSeq: Int? = nil) throws(JournalError) {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw JournalError("cannot create the journal '\(path)': \(errnoText(errno).lowercased())")
        }
        fchmod(fd, 0o600)
        self.fd = fd
        self.path = path
        self.runId = runId
        self.size = 0
        self.headHash = Self.chainSeed(runId: runId)
        self.clock = clock
        self.failAtSeq = failAtSeq
        do { try syncDirectory(of: path) } catch { throw JournalError(error.message) }
    }

    /// Opens an existing, verified journal to append to it (resume).
    init(
        appendingTo path: String, runId: String, nextSeq: Int, headHash: String, size: Int, clock: any RunClock,
        failAtSeq: Int? = nil
    ) throws(JournalError) {
        let fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw JournalError("cannot open the journal '\(path)': \(errnoText(errno).lowercased())") }
        self.fd = fd
        self.path = path
        self.runId = runId
        self.size = size
        self.nextSeq = nextSeq
        self.headHash = headHash
        self.clock = clock
        self.failAtSeq = failAtSeq
    }

    deinit { close(fd) }

    /// Records that the journal's folder was renamed.
    func moved(to newPath: String) { path = newPath }

    /// Syncs when a record was written without a sync since the last one.
    func syncIfPending() throws(JournalError) { if pendingSync { try sync() } }

    /// Fills in `seq`, `ts` and `prev`, writes the record as one line and, when `sync`, fdatasyncs.
    ///
    /// Returns the record as written.
    @discardableResult
    func append(_ record: JournalRecord, sync: Bool = true) throws(JournalError) -> JournalRecord {
        if let broken { throw JournalError("the journal can no longer be written (\(broken)); nothing more will run") }
        var record = record
        record.seq = nextSeq
        record.prev = headHash
        record.ts = isoTimestamp(clock.now())
        var line = record.jsonBytes()
        if line.count > Self.lineLimit {
            // Too long for one line: long free text is cut (saying so); a record that still does
            // not fit is refused before anything is written, and the journal stays usable.
            guard let fitted = record.fitted(lineLimit: Self.lineLimit) else {
                let what = [record.type.rawValue, record.key].compactMap { $0 }.joined(separator: " of ")
                throw JournalError(
                    "the journal record \(what) would be \(line.count) bytes, over the \(Self.lineLimit / 1024) KiB limit for a journal line; it was not written"
                )
            }
            record = fitted.record
            line = fitted.line
        }
        let hash = SHA256.hex(line)
        line.append(0x0A)
        if let failAtSeq, failAtSeq == record.seq {
            broken = "simulated I/O error at seq \(record.seq)"
            throw JournalError("cannot write the journal '\(path)': input/output error (simulated by RUNBOOK_TEST_JOURNAL_FAIL_AT_SEQ)")
        }
        if let code = line.withUnsafeBytes({ writeFully(fd, $0) }) {
            let reason = errnoText(code).lowercased()
            // Never leave half a line followed by another: cut back to the last whole record.
            _ = ftruncate(fd, off_t(size))
            broken = reason
            throw JournalError("cannot write the journal '\(path)': \(reason)")
        }
        size += line.count
        nextSeq += 1
        headHash = hash
        if sync {
            try self.sync()
        } else {
            pendingSync = true
        }
        return record
    }

    /// Flushes everything written so far to disk.
    func sync() throws(JournalError) {
        if let broken { throw JournalError("the journal can no longer be written (\(broken)); nothing more will run") }
        pendingSync = false
        if fdatasync(fd) != 0 {
            let reason = errnoText(errno).lowercased()
            broken = "fdatasync failed: \(reason)"
            throw JournalError("cannot sync the journal '\(path)' to disk: \(reason)")
        }
    }
}
