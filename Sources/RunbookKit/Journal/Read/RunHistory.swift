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

    /// One step as the journal knows it (read from the compact `HistorySteps`).
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
    /// Steps in the order they first appear in the journal, found by key.
    private let steps: HistorySteps
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
    /// Where each attempt's output begins in `output.log`, ascending (version 2); one entry for
    /// attempts in a row that begin at the same place (steps that printed nothing).
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
        openAttempts = builder.open
        runEnd = builder.end
        latestRunbook = builder.runbook ?? first.runbook
        latestTotalSteps = builder.total ?? first.totalSteps
        removedKeys = builder.removed
        supersededKeys = builder.superseded
        last = builder.last ?? first
        lastTs = last.ts
        outputStarts = builder.startsAscending ? builder.outputStarts : builder.outputStarts.sorted()
    }

    /// The step `key`, if the journal names it.
    func step(_ key: String) -> StepRecord? { steps.position(of: key).map { steps.record(at: $0) } }

    /// The keys the journal names, in the order they first appear.
    var keys: [String] { (0..<steps.count).map { steps.key(at: $0) } }

    /// Every step the journal names, in the order they first appear.
    var allSteps: LazyMapSequence<Range<Int>, StepRecord> { (0..<steps.count).lazy.map { steps.record(at: $0) } }

    /// The bytes of `output.log` that belong to the attempt whose output begins at `offset`:
    /// up to where the next attempt's begins, or (nil) to the end of the file.
    func outputEnd(after offset: Int) -> Int? { outputStarts.first { $0 > offset } }

    /// Folds records into a history one at a time.
    struct Builder {
        var first: JournalRecord?
        var steps = HistorySteps()
        var open: [String: OpenAttempt] = [:]
        var end: JournalRecord?
        var runbook: RunbookRef?
        var total: Int?
        var removed = Set<String>()
        var superseded = Set<String>()
        var last: JournalRecord?
        var outputStarts: [Int] = []
        /// No attempt so far began before the one before it (as the runner writes `output.log`).
        var startsAscending = true

        /// Takes the next record of the journal.
        mutating func add(_ record: JournalRecord) {
            last = record
            guard first != nil else {
                first = record
                runbook = record.runbook
                total = record.totalSteps
                // Room for the runbook's steps at once (a bound: the count is the journal's word).
                steps.reserve(record.stepsToReserve)
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
            let position = steps.position(adding: key)
            open[key]?.lastTs = record.ts
            switch record.type {
            case .stepStart:
                steps.start(at: position, codeSHA256: record.codeSHA256, attempt: record.attempt)
                open[key] = OpenAttempt(startSeq: record.seq, outputOffset: record.outputOffset, startTs: record.ts, lastTs: record.ts)
                if let offset = record.outputOffset { addOutputStart(offset) }
            case .stepSpawned:
                open[key]?.pid = record.pid
                open[key]?.starttime = record.starttime
            case .stepEnd:
                open[key] = nil
                let status = record.status ?? "failed"
                steps.end(
                    at: position, status: status, finished: StepEndStatus.finished.contains(status), exports: record.exports ?? [],
                    unset: record.unset ?? [])
            case .decision where record.choice == "skip":
                // A skip chosen after a failure ends the step (no step_end follows it).
                steps.skipIfFailed(at: position)
            case .decision where record.choice == "matched":
                // The operator said this step is one that finished under another key (`text`).
                if let old = record.text.flatMap({ steps.position(of: $0) }), steps.isCompleted(at: old) {
                    superseded.insert(steps.key(at: old))
                    steps.take(from: old, at: position)
                }
            case .decision where record.choice == "removed":
                removed.insert(key)
            default:
                break
            }
        }

        private mutating func addOutputStart(_ offset: Int) {
            guard let previous = outputStarts.last else { return outputStarts.append(offset) }
            if offset < previous { startsAscending = false }
            // Attempts in a row that begin at the same place (they printed nothing) need one entry:
            // where an attempt's bytes end is the first start after its own.
            if offset != previous { outputStarts.append(offset) }
        }
    }

    /// Steps that finished (ok, done, skipped), counted once each: keys removed by a decision or
    /// known under another key are left out.
    var finishedCount: Int {
        (0..<steps.count).count { position in
            guard steps.isCompleted(at: position) else { return false }
            let key = steps.key(at: position)
            return !removedKeys.contains(key) && !supersededKeys.contains(key)
        }
    }

    /// The step whose outcome is unknown (started, never ended), if one is.
    var unknownStep: StepRecord? {
        (0..<steps.count).first { steps.isUnknown(at: $0) }.map { steps.record(at: $0) }
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
