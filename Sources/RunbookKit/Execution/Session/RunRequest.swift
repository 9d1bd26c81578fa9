#if canImport(Glibc)
    import Glibc
#endif

/// What `runbook run` or `runbook resume` was asked to do.
public struct RunRequest: Sendable {
    /// The runbook's path as given.
    public var runbookPath: String
    /// Run the steps without asking; manual steps are confirmed as automatic; a `confirm` step runs
    /// only when `confirm` names it (else the run pauses there).
    public var assumeYes = false
    /// `--set NAME=VALUE`, in order.
    public var sets: [(String, String)] = []
    /// The incident or ticket id, recorded in the run header.
    public var incident: String?
    /// Seconds between SIGTERM and SIGKILL on timeout (RUNBOOK_KILL_GRACE, default 10).
    public var killGrace = 10.0
    /// `--accept-changes KEY|all`: accept the runbook as it is now for these steps (resume).
    public var acceptChanges = KeySelection.none
    /// `--rerun-unknown KEY|all`: run again these steps whose outcome is unknown (resume).
    public var rerunUnknown = KeySelection.none
    /// `--confirm KEY|all`: with `--yes`, run these `confirm` steps without asking (otherwise `--yes` pauses at them).
    public var confirm = KeySelection.none
    /// `--dry-run`: a rehearsal: the same walk, prompts and params, but no step's code runs.
    public var rehearsal = false
    /// `--new-run`: start a new run even though the runbook has an unfinished one.
    public var newRun = false
    /// `--from KEY`: the steps before it are recorded as not selected, not run.
    public var from: String?
    /// `--only KEY` (repeatable): only these steps run, a step marked `skip` too; the rest are recorded as not selected.
    public var only: [String] = []
    /// Bytes of output kept at the start and at the end of each step's record.
    public var outputHead = 256 * 1024
    /// Bytes kept at the end.
    public var outputTail = 256 * 1024

    /// A request to run the runbook at `runbookPath`; `environment` supplies `RUNBOOK_KILL_GRACE`.
    public init(runbookPath: String, environment: [String: String] = [:]) {
        self.runbookPath = runbookPath
        if let grace = environment["RUNBOOK_KILL_GRACE"].flatMap(Double.init), grace >= 0 { killGrace = grace }
    }
}

/// Steps named on the command line: none, some keys, or all.
public enum KeySelection: Equatable, Sendable {
    /// No step.
    case none
    /// These keys.
    case keys(Set<String>)
    /// Every step.
    case all

    /// From repeated `--flag KEY` values; `all` anywhere selects every step.
    public init(_ values: [String]) {
        if values.contains("all") {
            self = .all
        } else {
            self = values.isEmpty ? .none : .keys(Set(values))
        }
    }

    /// Whether `key` (or, for a renamed step, its old key `other`) is selected.
    public func contains(_ key: String, or other: String? = nil) -> Bool {
        switch self {
        case .none: return false
        case .all: return true
        case .keys(let keys): return keys.contains(key) || other.map(keys.contains) == true
        }
    }

    /// The flag's value as typed, for records: `all` or the keys joined by commas.
    public var text: String {
        switch self {
        case .none: return ""
        case .all: return "all"
        case .keys(let keys): return keys.sorted().joined(separator: ",")
        }
    }
}

/// How a run ended, or why it did not start. The command line maps each to an exit code.
public enum RunOutcome: Error, Equatable, Sendable {
    /// Every step done or deliberately skipped.
    case completed
    /// It ran to the end, but a step with `on-failure=continue` failed.
    case completedWithFailures
    /// The operator or a step's failure policy aborted it.
    case aborted
    /// Paused (quit, end of input, or a decision needed): resumable.
    case paused
    /// Ctrl-C: paused, resumable; the runner should die by SIGINT.
    case interrupted
    /// The terminal went away (SIGHUP): the running step finished, nothing more started; resumable.
    case hangup
    /// SIGTERM or SIGQUIT stopped the running step; resumable.
    case terminated
    /// Nothing was run: bad params, a failed preflight, a run that cannot be resumed as asked.
    case refused
    /// Another run holds the runbook's lock, or a step of the run being resumed still runs.
    case locked
    /// The journal failed verification: nothing was changed.
    case damagedJournal
    /// The journal (or the run folder) could not be written: the run stopped.
    case journalUnwritable

    /// Whether the run ended for good (it cannot be resumed).
    public var isEnd: Bool { self == .completed || self == .completedWithFailures || self == .aborted }

    /// The outcome for a signal that stopped the run.
    static func stopped(by signal: Int32) -> RunOutcome {
        switch signal {
        case SIGINT: return .interrupted
        case SIGHUP: return .hangup
        default: return .terminated
        }
    }
}
