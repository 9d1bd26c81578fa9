import Foundation

/// The result of reading and checking a journal.
public struct JournalVerification: Sendable {
    /// Records that verified, in order.
    public var records: [JournalRecord]
    /// SHA-256 of the last verified line: paste it into the incident ticket as an anchor.
    public var headHash: String
    /// Byte length of the verified part.
    public var verifiedBytes: Int
    /// A torn final segment (a crash mid-write): its offset and length. Everything before it verified.
    public var tornTail: (offset: Int, length: Int)?
    /// Corruption or tampering: the first problem found. Nil when the chain holds.
    public var problem: String?

    /// Whether the journal verified (a torn tail alone is recoverable, not a failure).
    public var ok: Bool { problem == nil }
}

/// Reads a journal and checks every link of its hash chain.
public enum JournalVerifier {
    /// Reads the journal at `path` and checks it; throws only when the file cannot be read (damage is
    /// reported in the result's `problem`).
    public static func verify(path: String) throws(JournalError) -> JournalVerification {
        verify(bytes: try readJournalBytes(path))
    }

    /// Checks a journal's bytes record by record, stopping at the first problem or torn tail.
    static func verify(bytes: [UInt8]) -> JournalVerification {
        let decoder = JSONDecoder()
        var result = JournalVerification(records: [], headHash: "", verifiedBytes: 0, tornTail: nil, problem: nil)
        var expectedPrev: String?
        var start = 0
        var seq = 0
        while start < bytes.count {
            let newline = bytes[start...].firstIndex(of: 0x0A)
            let end = newline ?? bytes.count
            let line = Array(bytes[start..<end])
            // Each record is written with its LF in one write: only a last segment without LF can be torn.
            let isLast = newline == nil
            func fail(_ message: String) -> JournalVerification {
                if isLast {
                    result.tornTail = (start, bytes.count - start)
                    return result
                }
                result.problem = message
                return result
            }
            if newline == nil {
                // A final segment without LF is a torn write, whatever it holds.
                return fail("record \(seq) has no line end")
            }
            guard let record = try? decoder.decode(JournalRecord.self, from: Data(line)) else {
                return fail("line \(seq + 1) (byte offset \(start)) is not a valid journal record")
            }
            if record.seq != seq {
                result.problem = "sequence gap: expected seq \(seq), found \(record.seq) at line \(seq + 1) (a record was removed, duplicated or reordered)"
                return result
            }
            if seq == 0 {
                guard record.type == .runStart, let runId = record.runId else {
                    result.problem = "the first record is not a run_start with a run id"
                    return result
                }
                expectedPrev = JournalWriter.chainSeed(runId: runId)
            }
            if record.prev != expectedPrev {
                result.problem = "prev mismatch at seq \(seq): the record before it was changed, or this record comes from another run"
                return result
            }
            let hash = SHA256.hex(line)
            expectedPrev = hash
            result.headHash = hash
            result.records.append(record)
            result.verifiedBytes = end + 1
            seq += 1
            start = end + 1
        }
        if result.records.isEmpty && result.problem == nil {
            result.problem = "the journal holds no complete record (no run_start)"
        }
        return result
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
