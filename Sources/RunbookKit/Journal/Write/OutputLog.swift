#if canImport(Glibc)
    import Glibc
#endif

/// The run's `output.log`: every attempt's recorded output, one after another, appended as it
/// comes (journal format version 2). `step_start` gives where an attempt's bytes begin and
/// `step_end`'s `output` gives their offset, length and SHA-256.
///
/// One file for the whole run means no new inode and no folder sync per step: one `fdatasync`
/// of this file makes a step's output durable before its `step_end` is.
final class OutputLog {
    /// The log's name inside the run folder.
    static let name = "output.log"

    /// Where the log is.
    private(set) var path: String
    private let fd: Int32
    /// The log's length: where the next byte goes.
    private(set) var size: Int
    /// Bytes written since the last sync.
    private var unsynced = false
    /// Set once a write or a sync failed: nothing more is written.
    private(set) var broken: String?
    /// Debug builds: every sync fails as if the disk did (RUNBOOK_TEST_OUTPUT_LOG_SYNC_FAIL).
    private let failSync: Bool

    /// Opens the run folder's log to append to it, creating it (0600, never through a symlink, its
    /// folder synced) when it is not there: a format 1 run being resumed. A new run folder is made
    /// with an empty log.
    init(folder: String, failSync: Bool = false) throws(JournalError) {
        let path = folder + "/" + Self.name
        var created = false
        var fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC)
        if fd < 0 && errno == ENOENT {
            fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            created = true
        }
        guard fd >= 0 else { throw JournalError("cannot open the output log '\(path)': \(errnoText(errno).lowercased())") }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw JournalError("the output log '\(path)' is not a regular file; move it away and resume again")
        }
        if created { fchmod(fd, 0o600) }
        self.fd = fd
        self.path = path
        self.size = Int(info.st_size)
        self.failSync = failSync
        if created {
            do { try syncDirectory(of: path) } catch { throw JournalError(error.message) }
        }
    }

    deinit { close(fd) }

    /// Records that the run folder was renamed.
    func moved(toFolder folder: String) { path = folder + "/" + Self.name }

    /// Appends bytes (not synced); returns the errno of a failed write. After a failure the log
    /// is broken: its length is no longer known, and every later write fails.
    func append(_ bytes: UnsafeRawBufferPointer) -> Int32? {
        if broken != nil { return EIO }
        guard bytes.count > 0 else { return nil }
        if let code = writeFully(fd, bytes) {
            broken = errnoText(code).lowercased()
            return code
        }
        size += bytes.count
        unsynced = true
        return nil
    }

    /// Makes everything appended so far durable (one `fdatasync`, none when nothing is new).
    func sync() throws(JournalError) {
        if let broken { throw JournalError("cannot write the output log '\(path)': \(broken)") }
        guard unsynced else { return }
        if failSync {
            broken = "fdatasync failed: input/output error (simulated by RUNBOOK_TEST_OUTPUT_LOG_SYNC_FAIL)"
            throw JournalError("cannot sync the output log '\(path)' to disk: input/output error (simulated by RUNBOOK_TEST_OUTPUT_LOG_SYNC_FAIL)")
        }
        if fdatasync(fd) != 0 {
            let reason = errnoText(errno).lowercased()
            broken = "fdatasync failed: \(reason)"
            throw JournalError("cannot sync the output log '\(path)' to disk: \(reason)")
        }
        unsynced = false
    }
}
