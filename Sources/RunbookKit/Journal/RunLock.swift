import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Who holds a runbook's lock, as written into the lock file (for messages only).
public struct LockHolder: Codable, Sendable {
    /// Who runs it.
    public var user: String
    /// Where.
    public var host: String
    /// The runner's pid.
    public var pid: Int32
    /// The run.
    public var runId: String
    /// When the lock was taken.
    public var since: String
    /// The runbook's real path.
    public var runbook: String

    enum CodingKeys: String, CodingKey {
        case user, host, pid
        case runId = "run_id"
        case since, runbook
    }

    /// A holder record.
    public init(user: String, host: String, pid: Int32, runId: String, since: String, runbook: String) {
        self.user = user
        self.host = host
        self.pid = pid
        self.runId = runId
        self.since = since
        self.runbook = runbook
    }
}

/// One run of a runbook at a time: `flock` on a close-on-exec descriptor.
///
/// The kernel drops the lock when the runner dies, so it cannot go stale, and a
/// step's background child never inherits the descriptor.
public final class RunLock: @unchecked Sendable {
    private let fd: Int32
    /// The lock file.
    public let path: String

    /// What trying to take a lock gave.
    public enum Outcome {
        /// Taken: keep it until the run ends.
        case acquired(RunLock)
        /// Another run holds it; the holder as it wrote itself into the lock file, if readable.
        case held(LockHolder?, path: String)
    }

    /// Tries to take the lock for the runbook at `runbookRealpath`, for run `runId`; never waits.
    ///
    /// The only place a lock is taken: the holder record (user, host, pid, since) comes from the
    /// context, so every lock file says the same things the journal does.
    public static func acquire(runbookRealpath: String, runId: String, context: RunbookContext) throws(StorageError) -> Outcome {
        let state = context.stateDirectory
        try state.prepare()
        let holder = LockHolder(
            user: context.user, host: context.host, pid: context.pid, runId: runId,
            since: isoTimestamp(context.clock.now()), runbook: runbookRealpath)
        let path = state.locksDir + "/" + SHA256.hex(runbookRealpath) + ".lock"
        let fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StorageError("cannot open the lock file '\(path)': \(errnoText(errno).lowercased())") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            defer { close(fd) }
            if code == EWOULDBLOCK {
                return .held(readHolder(fd), path: path)
            }
            throw StorageError("cannot lock '\(path)': \(errnoText(code).lowercased())")
        }
        fchmod(fd, 0o600)
        if let data = try? JSONEncoder().encode(holder) {
            _ = ftruncate(fd, 0)
            _ = data.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        }
        return .acquired(RunLock(fd: fd, path: path))
    }

    private init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    private static func readHolder(_ fd: Int32) -> LockHolder? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return nil }
        return try? JSONDecoder().decode(LockHolder.self, from: Data(buffer[0..<n]))
    }

    /// Who holds the lock of the runbook at `runbookRealpath` right now, if anyone does (a shared,
    /// non-blocking probe: it never takes the lock from a run).
    public static func currentHolder(runbookRealpath: String, state: StateDirectory) -> LockHolder? {
        let path = state.locksDir + "/" + SHA256.hex(runbookRealpath) + ".lock"
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return nil
        }
        return errno == EWOULDBLOCK ? readHolder(fd) : nil
    }

    /// The message for a runbook whose lock another run holds.
    public static func heldMessage(runbook: String, holder: LockHolder?, path: String) -> String {
        if let holder {
            return
                "\(runbook) is being run by \(holder.user)@\(holder.host) (pid \(holder.pid), run \(holder.runId)) since \(holder.since); wait for that run to finish, or ask them. Lock: \(path)"
        }
        return "\(runbook) is being run by another process (lock \(path) is held); wait for that run to finish"
    }

    /// Releases the lock (also released when the process exits).
    public func release() {
        _ = ftruncate(fd, 0)
        flock(fd, LOCK_UN)
    }

    deinit { close(fd) }
}
