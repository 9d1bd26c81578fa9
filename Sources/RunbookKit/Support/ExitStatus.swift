/// The exit codes of `runbook`, documented in `--help` and docs/operators-guide.md.
public enum ExitStatus: Int32, Sendable, CaseIterable {
    /// All steps done or deliberately skipped; `check` found no error.
    case ok = 0
    /// A step failed and the run was aborted.
    case stepFailed = 1
    /// Bad runbook or bad usage.
    case badInput = 2
    /// The runbook is locked by another run.
    case locked = 3
    /// The journal failed verification.
    case journalIntegrity = 4
    /// Paused or waiting for a decision; the run can be resumed.
    case paused = 5
    /// The journal could not be written.
    case journalIO = 74
    /// The terminal went away (SIGHUP): the running step finished, nothing more started.
    case hangup = 129
    /// Interrupted (SIGINT).
    case interrupted = 130
    /// Terminated (SIGTERM): the running step was stopped.
    case terminated = 143

    /// One line per code, for help texts.
    public static let summary = """
        Exit codes: 0 all steps done or deliberately skipped (check: no errors); 1 a step failed and the run \
        was aborted; 2 bad runbook or usage; 3 locked by another run; 4 journal integrity failure; \
        5 paused or waiting for a decision (resumable); 74 the journal could not be written; 129 hangup, \
        130 interrupted, 143 terminated (each pauses the run, resumable).
        """
}
