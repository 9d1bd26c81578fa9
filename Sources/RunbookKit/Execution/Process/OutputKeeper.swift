import CSupport

/// What keeps a step's output pipe open when the runner dies (SIGKILL, a crash): a small process
/// of its own (`output_keeper.c`) holds the read end of the running step's pipe and, once the
/// runner is gone, reads it to its end and drops it. Without it a step that prints would die of
/// SIGPIPE at its next write while a quiet one runs on; with it both run to their end, and a resume
/// waits for them (`still running`). Output after the runner died is on no screen and in no record.
///
/// Started before the runner becomes a subreaper, so it is never the runner's child (the
/// leftover sweep would take it for one of a step's processes).
final class OutputKeeper: Sendable {
    private let socket: Int32

    /// Starts the keeper process; nil when it cannot start (then a printing step dies with the runner, as before).
    init?() {
        let fd = rb_start_output_keeper()
        guard fd >= 0 else { return nil }
        socket = fd
    }

    /// The pipe of the step that starts now.
    func hold(_ readEnd: Int32) { _ = rb_keeper_hold(socket, readEnd) }

    /// The step is over: the keeper lets go of its pipe.
    func release() { _ = rb_keeper_release(socket) }
}
