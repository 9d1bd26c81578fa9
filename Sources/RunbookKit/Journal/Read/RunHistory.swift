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
        var attempts: Int
        /// Variables it exported (values nil for secrets).
        var exports: [ExportedVariable]
        var unset: [String]
    }

    /// The last attempt of a step that has no end yet: what resume shows of an unknown outcome.
    /// Kept apart, and dropped when the attempt ends, so a run of 33,333 finished steps does not
    /// carry it for each.
    struct OpenAttempt: Sendable {
        /// The pid and start time of its spawn, to tell whether it may still be running.
        var pid: Int32?
        var starttime: UInt64?
        /// The sequence number and time of its `step_start` (in a version 1 journal its output
        /// file is `out/<seq>.log`).
        var startSeq: Int
        /// Where its output begins in `output.log` (version 2).
        var outputOffset: Int?
        var startTs: String
        /// The time of the last record about it.
        var lastTs: String
    }

    /// The run's first record: its id, runbook, operator, params and incident.
    public let runStart: JournalRecord
    let runEnd: JournalRecord?
    /// Steps by key, in the order they first appear in the journal.
    let steps: [String: StepRecord]
    let order: [String]
    /// The attempts without an end, by step key (at most the one that was running when the runner stopped).
    let openAttempts: [String: OpenAttempt]
    /// The runbook the run last ran: the one it started with, or the one a resume recorded.
    let latestRunbook: RunbookRef?
    /// The step count of that runbook.
    let latestTotalSteps: Int?
    /// Keys removed from the run by a recorded decision.
    let removedKeys: Set<String>
    /// Keys a `matched` decision says are now known under another key.
    let supersededKeys: Set<String>
    /// The last record's time.
    let lastTs: String
    /// The last record.
    let last: JournalRecord
    /// Where each attempt's output begins in `output.log`, ascending (version 2).
    let outputStarts: [Int]

    var runId: String { runStart.runId ?? "" }

    init(records: [JournalRecord]) throws(JournalError) {
        var builder = Builder()
        for record in records { builder.add(record) }
        try self.init(builder)
    }

    /// The history a builder folded, record by record (a streamed journal never held whole).
    init(_ builder: Builder) throws(JournalError) {
        guard let first = builder.first, first.type == .runStart else {
            throw JournalError("the journal does not start with a run_start record")
        }
        runStart = first
        steps = builder.steps
        order = builder.order
        openAttempts = builder.open
        runEnd = builder.end
        latestRunbook = builder.runbook ?? first.runbook
        latestTotalSteps = builder.total ?? first.totalSteps
        removedKeys = builder.removed
        supersededKeys = builder.superseded
        last = builder.last ?? first
        lastTs = last.ts
        outputStarts = builder.outputStarts.sorted()
    }

    /// The bytes of `output.log` that belong to the attempt whose output begins at `offset`:
    /// up to where the next attempt's begins, or (nil) to the end of the file.
    func outputEnd(after offset: Int) -> Int? { outputStarts.first { $0 > offset } }

    /// Folds records into a history one at a time.
    struct Builder {
        var first: JournalRecord?
        var steps: [String: StepRecord] = [:]
        var order: [String] = []
        var open: [String: OpenAttempt] = [:]
        var end: JournalRecord?
        var runbook: RunbookRef?
        var total: Int?
        var removed = Set<String>()
        var superseded = Set<String>()
        var last: JournalRecord?
        var outputStarts: [Int] = []

        /// Takes the next record of the journal.
        mutating func add(_ record: JournalRecord) {
            last = record
            guard first != nil else {
                first = record
                runbook = record.runbook
                total = record.totalSteps
                return
            }
            guard let key = record.key else {
                if record.type == .runEnd { end = record }
                if record.type == .note, let ref = record.runbook {
                    runbook = ref
                    total = record.totalSteps ?? total
                }
                return
            }
            var step = steps[key] ?? StepRecord(key: key, state: .notStarted, codeSHA256: nil, attempts: 0, exports: [], unset: [])
            if steps[key] == nil { order.append(key) }
            open[key]?.lastTs = record.ts
            switch record.type {
            case .stepStart:
                step.state = .unknown
                step.codeSHA256 = record.codeSHA256
                step.attempts = max(step.attempts, record.attempt ?? 0)
                open[key] = OpenAttempt(startSeq: record.seq, outputOffset: record.outputOffset, startTs: record.ts, lastTs: record.ts)
                if let offset = record.outputOffset { outputStarts.append(offset) }
            case .stepSpawned:
                open[key]?.pid = record.pid
                open[key]?.starttime = record.starttime
            case .stepEnd:
                open[key] = nil
                let status = record.status ?? "failed"
                if StepEndStatus.finished.contains(status) {
                    step.state = .completed(status: status)
                    step.exports = record.exports ?? []
                    step.unset = record.unset ?? []
                } else {
                    step.state = .failed(status: status)
                }
            case .decision where record.choice == "skip":
                // A skip chosen after a failure ends the step (no step_end follows it).
                if case .failed = step.state { step.state = .completed(status: "skipped") }
            case .decision where record.choice == "matched":
                // The operator said this step is one that finished under another key (`text`).
                if let old = record.text.flatMap({ steps[$0] }), case .completed = old.state {
                    superseded.insert(old.key)
                    step.state = old.state
                    step.codeSHA256 = old.codeSHA256
                    step.exports = old.exports
                    step.unset = old.unset
                }
            case .decision where record.choice == "removed":
                removed.insert(key)
            default:
                break
            }
            steps[key] = step
        }
    }

    /// Steps that finished (ok, done, skipped), counted once each: keys removed by a decision or
    /// known under another key are left out.
    var finishedCount: Int {
        steps.values.filter { step in
            guard case .completed = step.state else { return false }
            return !removedKeys.contains(step.key) && !supersededKeys.contains(step.key)
        }.count
    }

    /// The step whose outcome is unknown (started, never ended), if one is.
    var unknownStep: StepRecord? {
        order.lazy.compactMap { steps[$0] }.first { $0.state == .unknown }
    }

    /// Whether the run's last word was a pause (the operator quit, input ended, a decision was
    /// needed, or a signal stopped it cleanly): the runner stopped on purpose.
    var endedInPause: Bool { last.type == .decision && last.choice == "pause" }

    /// Whether the process recorded for a step with an unknown outcome is still alive (same pid and start time).
    func isStillRunning(_ step: StepRecord, liveness: any ProcessLiveness) -> Bool {
        guard let attempt = openAttempts[step.key], let pid = attempt.pid, let starttime = attempt.starttime else { return false }
        return liveness.isRunning(pid: pid, starttime: starttime, bootId: runStart.bootId)
    }
}

/// Tells whether a process the journal recorded is still alive; Execution supplies the real one
/// (it reads the process table), tests a scripted one.
public protocol ProcessLiveness: Sendable {
    /// Whether `pid`, started at `starttime` (clock ticks since boot) on boot `bootId`, still runs.
    func isRunning(pid: Int32, starttime: UInt64, bootId: String?) -> Bool
}
