/// Writes a run's step records to its journal, masking secrets in every text an operator typed,
/// and counts step outcomes for the run's end.
final class RunRecorder {
    /// The run's journal.
    let journal: JournalWriter
    /// Masks the run's secret values.
    let masker: SecretMasker
    /// What this runner process knows of each step, by number: its final outcome so far (the
    /// last attempt counts), attempts, time, last exit status, why it failed or was skipped.
    private(set) var steps: StepLedger

    /// How many steps ended with each outcome (each step once, by its final outcome), for `run_end` and the summary.
    var counts: [String: Int] { steps.counts }

    /// A recorder for a runbook of `steps` steps.
    init(journal: JournalWriter, masker: SecretMasker, steps: Int) {
        self.journal = journal
        self.masker = masker
        self.steps = StepLedger(steps: steps)
    }

    /// A step a resumed run found finished earlier (with this status): counted, not run again.
    func finishedEarlier(_ step: Step, _ status: String) {
        steps.setOutcome(step.number, status)
        steps.markFinishedEarlier(step.number)
    }

    /// A step the resume settled by a `step_end` of its own (done or skipped): not run again.
    func markFinishedEarlier(_ step: Step) { steps.markFinishedEarlier(step.number) }

    /// The run went past `step` as finished earlier (the end report says so).
    func markShownEarlier(_ step: Step) { steps.markShownEarlier(step.number) }

    /// Attempts a resumed run recorded for `step` before this process: attempt numbers go on from there.
    func setAttemptsBefore(_ step: Step, _ attempts: Int) { steps.setAttemptsBefore(step.number, attempts) }

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
        if attempt > 0 { steps.addAttempt(step.number) }
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
        steps.setOutcome(step.number, status)
        steps.setReason(step.number, record.reason)
    }

    /// A `step_end` of `step` built by the caller (a process outcome): written at once, synced with
    /// the next synced record or before the runner waits for the operator (`settle`).
    func end(_ step: Step, _ record: JournalRecord) throws(JournalError) {
        try journal.append(record, sync: false)
        steps.setOutcome(step.number, record.status ?? "failed")
        steps.recordEnd(step.number, durationMs: record.durationMs ?? 0, exitCode: record.exitCode, signal: record.signal, error: record.error)
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
