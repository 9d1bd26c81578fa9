import CSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Signals delivered to the runner, turned into bytes on a pipe so one `poll` loop can wait
/// for output, input, timeouts and signals together.
public final class SignalPipe: SignalSource, @unchecked Sendable {
    /// The read end; readable when a signal has arrived.
    public let readFD: Int32
    private let writeFD: Int32

    /// Installs the handlers (INT, TERM, HUP, QUIT, CHLD, WINCH) writing to a new pipe.
    public init() {
        var fds: [Int32] = [0, 0]
        precondition(makePipe(&fds, nonBlocking: true), "pipe failed: \(errno)")
        readFD = fds[0]
        writeFD = fds[1]
        rb_install_signal_pipe(writeFD)
    }

    /// Signals received since the last call, in order.
    public func drain() -> [Int32] {
        var out: [Int32] = []
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(readFD, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            out.append(contentsOf: buffer[0..<n].map { Int32($0) })
        }
        return out
    }

    deinit {
        rb_restore_signals()
        close(readFD)
        close(writeFD)
    }
}

/// A close-on-exec pipe (read end first).
func makePipe(_ fds: inout [Int32], nonBlocking: Bool = false) -> Bool {
    guard pipe(&fds) == 0 else { return false }
    for fd in fds {
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        if nonBlocking { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
    }
    return true
}
