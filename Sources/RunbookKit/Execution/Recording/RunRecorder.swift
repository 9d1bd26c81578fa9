/// Writes a run's step records to its journal, masking secrets in every text an operator typed,
/// and counts step outcomes for the run's end.
final class RunRecorder {
    /// The run's journal.
    let journal: JournalWriter
    /// Masks the run's secret values.
    let masker: SecretMasker
    /// Each step's final outcome so far (`ok`, `failed`, `skipped`, …), by key: the last attempt counts.
    private(set) var outcomes: [String: String] = [:]
    /// What this runner process saw of each step: attempts, time, last exit status, why it failed.
    private(set) var details: [String: StepDetail] = [:]

    /// One step's attempts in this process, for the report at the end.
    struct StepDetail {
        var attempts = 0
        var durationMs = 0
        var exitCode: Int32?
        var signal: String?
        var error: String?
        /// Why it was skipped or done without running (the operator's reason), for the end report.
        var reason: String?
    }

    /// How many steps ended with each outcome (each step once, by its final outcome), for `run_end` and the summary.
    var counts: [String: Int] {
        outcomes.values.reduce(into: [:]) { $0[$1, default: 0] += 1 }
    }

    init(journal: JournalWriter, masker: SecretMasker) {
        self.journal = journal
        self.masker = masker
    }

    /// Counts a step outcome that was recorded elsewhere (a resumed step's earlier result).
    func count(_ status: String, key: String) { outcomes[key] = status }

    /// Makes every record written so far durable (before the runner waits for the operator).
    func settle() throws(JournalError) { try journal.syncIfPending() }

    /// Appends a record as it is.
    func append(_ record: JournalRecord, sync: Bool = true) throws(JournalError) {
        try journal.append(record, sync: sync)
    }

    /// `step_start`: synced before anything of the step happens. `outputOffset`: where the
    /// attempt's output will begin in the output log (code steps that run).
    func start(_ step: Step, attempt: Int, edited: CodeRef? = nil, outputOffset: Int? = nil) throws(JournalError) {
        var record = JournalRecord(type: .stepStart)
        record.key = step.key
        record.number = step.number
        record.kind = step.kind.rawValue
        record.line = step.line
        record.attempt = attempt
        record.codeSHA256 = step.codeSHA256
        record.editedCode = edited
        record.interpreter = step.interpreter
        record.interactive = step.attributes.interactive ? true : nil
        record.outputOffset = outputOffset
        try journal.append(record)
        if attempt > 0 { details[step.key, default: StepDetail()].attempts += 1 }
    }

    /// A `step_end` that carries no process outcome (skipped, done, failed before it started).
    func end(_ step: Step, status: String, reason: String?, output: OutputRef? = nil, error: String? = nil) throws(JournalError) {
        var record = JournalRecord(type: .stepEnd)
        record.key = step.key
        record.number = step.number
        record.status = status
        record.reason = reason.map { masker.mask($0).0 }
        record.output = output
        record.error = error
        try journal.append(record)
        count(status, key: step.key)
        details[step.key, default: StepDetail()].reason = record.reason
    }

    /// A `step_end` built by the caller (a process outcome): written at once, synced with the next
    /// synced record or before the runner waits for the operator (`settle`).
    func end(_ record: JournalRecord) throws(JournalError) {
        try journal.append(record, sync: false)
        count(record.status ?? "failed", key: record.key ?? "")
        var detail = details[record.key ?? "", default: StepDetail()]
        detail.durationMs += record.durationMs ?? 0
        detail.exitCode = record.exitCode
        detail.signal = record.signal
        detail.error = record.error
        details[record.key ?? ""] = detail
    }

    /// A `decision` on a step: run, skip, retry, abort, pause, keep, rerun, shell, done.
    func decision(_ step: Step, _ choice: String, reason: String?) throws(JournalError) {
        try decision(key: step.key, choice, reason: reason)
    }

    /// A `decision` on a key.
    func decision(key: String, _ choice: String, reason: String?) throws(JournalError) {
        var record = JournalRecord(type: .decision)
        record.key = key
        record.choice = choice
        record.reason = reason.map { masker.mask($0).0 }
        try journal.append(record)
    }

    /// A `pause` decision on the run as a whole (a resume that stopped for decisions).
    func pauseRun(reason: String) throws(JournalError) {
        var record = JournalRecord(type: .decision)
        record.choice = "pause"
        record.reason = masker.mask(reason).0
        try journal.append(record)
    }

    /// A note on a step, masked and cut to 4096 characters; returns what was cut and masked.
    func note(_ step: Step, _ text: String) throws(JournalError) -> (cut: Bool, masked: Int) {
        var record = JournalRecord(type: .note)
        record.key = step.key
        let (masked, count) = masker.mask(String(text.prefix(4096)))
        record.text = masked
        try journal.append(record)
        return (text.count > 4096, count)
    }

    /// A note on the run (or on `key`).
    func note(_ text: String, key: String? = nil) throws(JournalError) {
        var record = JournalRecord(type: .note)
        record.key = key
        record.text = text
        try journal.append(record)
    }
}
