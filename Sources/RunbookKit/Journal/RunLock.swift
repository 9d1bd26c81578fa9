import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Who holds a runbook's lock, as written into the lock file (for messages only).
public struct LockHolder: Codable, Sendable {
    public var user: String
    public var host: String
    public var pid: Int32
    public var runId: String
    public var since: String
    public var runbook: String

    enum CodingKeys: String, CodingKey { case user, host, pid, runId = "run_id", since, runbook }

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
    public let path: String

    public enum Outcome {
        case acquired(RunLock)
        case held(LockHolder?, path: String)
    }

    /// Tries to take the lock for the runbook at `realpath`; never waits.
    public static func acquire(state: StateDirectory, runbookRealpath: String, holder: LockHolder) throws(JournalError) -> Outcome {
        let path = state.locksDir + "/" + SHA256.hex(runbookRealpath) + ".lock"
        let fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw JournalError("cannot open the lock file '\(path)': \(errnoText(errno).lowercased())") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            defer { close(fd) }
            if code == EWOULDBLOCK {
                return .held(readHolder(fd), path: path)
            }
            throw JournalError("cannot lock '\(path)': \(errnoText(code).lowercased())")
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

    /// The message for a runbook whose lock another run holds.
    public static func heldMessage(runbook: String, holder: LockHolder?, path: String) -> String {
        if let holder {
            return "\(runbook) is being run by \(holder.user)@\(holder.host) (pid \(holder.pid), run \(holder.runId)) since \(holder.since); wait for that run to finish, or ask them. Lock: \(path)"
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
