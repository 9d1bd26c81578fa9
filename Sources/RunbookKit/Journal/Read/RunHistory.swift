/// What a run's journal says about each step, rebuilt record by record (for resume and status).
public struct RunHistory: Sendable {
    /// Where a step stands in the journal.
    enum StepState: Equatable, Sendable {
        /// Never started in this run.
        case notStarted
        /// Its last attempt ended ok, was confirmed done, or was skipped.
        case completed(status: String)
        /// Its last attempt ended failed, timed out or interrupted.
        case failed(status: String)
        /// Started, but no end was recorded: the runner died while it ran. Outcome unknown.
        case unknown
    }

    /// One step as the journal knows it.
    struct StepRecord: Sendable {
        var key: String
        var state: StepState
        /// Code hash recorded at its last start (the file's code, before any edit).
        var codeSHA256: String?
        /// The pid and start time of its last spawn, to tell whether it may still be running.
        var pid: Int32?
        var starttime: UInt64?
        var attempts: Int
        /// Variables it exported (values nil for secrets).
        var exports: [ExportedVariable]
        var unset: [String]
    }

    /// The run's first record: its id, runbook, operator, params and incident.
    public let runStart: JournalRecord
    let runEnd: JournalRecord?
    /// Steps by key, in the order they first appear in the journal.
    let steps: [String: StepRecord]
    let order: [String]

    var runId: String { runStart.runId ?? "" }

    init(records: [JournalRecord]) throws(JournalError) {
        guard let first = records.first, first.type == .runStart else {
            throw JournalError("the journal does not start with a run_start record")
        }
        runStart = first
        var steps: [String: StepRecord] = [:]
        var order: [String] = []
        var end: JournalRecord?
        for record in records.dropFirst() {
            guard let key = record.key else {
                if record.type == .runEnd { end = record }
                continue
            }
            var step =
                steps[key]
                ?? StepRecord(
                    key: key, state: .notStarted, codeSHA256: nil, pid: nil, starttime: nil,
                    attempts: 0, exports: [], unset: [])
            if steps[key] == nil { order.append(key) }
            switch record.type {
            case .stepStart:
                step.state = .unknown
                step.codeSHA256 = record.codeSHA256
                step.attempts = max(step.attempts, record.attempt ?? 0)
                step.pid = nil
                step.starttime = nil
            case .stepSpawned:
                step.pid = record.pid
                step.starttime = record.starttime
            case .stepEnd:
                let status = record.status ?? "failed"
                if ["ok", "done", "skipped"].contains(status) {
                    step.state = .completed(status: status)
                    step.exports = record.exports ?? []
                    step.unset = record.unset ?? []
                } else {
                    step.state = .failed(status: status)
                }
            case .decision where record.choice == "skip":
                // A skip chosen after a failure ends the step (no step_end follows it).
                if case .failed = step.state { step.state = .completed(status: "skipped") }
            default:
                break
            }
            steps[key] = step
        }
        self.steps = steps
        self.order = order
        self.runEnd = end
    }

    /// Whether the process recorded for a step with an unknown outcome is still alive (same pid and start time).
    func isStillRunning(_ step: StepRecord, liveness: any ProcessLiveness) -> Bool {
        guard let pid = step.pid, let starttime = step.starttime else { return false }
        return liveness.isRunning(pid: pid, starttime: starttime, bootId: runStart.bootId)
    }
}

/// Tells whether a process the journal recorded is still alive; Execution supplies the real one
/// (it reads the process table), tests a scripted one.
public protocol ProcessLiveness: Sendable {
    /// Whether `pid`, started at `starttime` (clock ticks since boot) on boot `bootId`, still runs.
    func isRunning(pid: Int32, starttime: UInt64, bootId: String?) -> Bool
}
