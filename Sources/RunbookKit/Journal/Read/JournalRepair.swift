import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Cuts a torn last record (a crash mid-write) from a journal: the original is kept beside it as
/// `journal.jsonl.torn-<time>`, the journal is truncated at the last whole record and synced.
public enum JournalRepair {
    /// What a repair cut and where the original is.
    public struct Repair: Sendable {
        /// The untouched original journal, beside it.
        public var backup: String
        /// How many bytes were cut.
        public var discardedBytes: Int
        /// SHA-256 of the bytes cut.
        public var discardedSHA256: String
    }

    /// Cuts `path` back to its first `keep` bytes; the backup's name carries `time`.
    public static func cutTornTail(path: String, keep: Int, at time: WallTime) throws(JournalError) -> Repair {
        let bytes = try readJournalBytes(path)
        let stamp = isoTimestamp(time).replacingOccurrences(of: ":", with: "")
        let backup = path + ".torn-" + stamp
        do { try writePrivateFile(backup, bytes) } catch { throw JournalError(error.message) }
        let fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw JournalError("cannot open '\(path)' to repair it: \(errnoText(errno).lowercased())") }
        defer { close(fd) }
        guard ftruncate(fd, off_t(keep)) == 0, fsync(fd) == 0 else {
            throw JournalError("cannot cut the torn record from '\(path)': \(errnoText(errno).lowercased())")
        }
        let discarded = Array(bytes[keep...])
        return Repair(backup: backup, discardedBytes: discarded.count, discardedSHA256: SHA256.hex(discarded))
    }
}
