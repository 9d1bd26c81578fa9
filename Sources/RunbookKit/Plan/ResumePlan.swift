/// What resuming a run means, step by step: the journal's history compared with the runbook as it
/// is now, by key (never by position). Pure: it asks nobody; Execution asks the operator where a
/// step needs a decision.
public struct ResumePlan: Sendable {
    /// What to do with one step of the runbook.
    public enum Decision: Equatable, Sendable {
        /// Never started, or its last attempt failed: it runs.
        case run
        /// It finished (`ok`, `done`, `skipped`) with the same code: it is not run again.
        case done(status: String)
        /// It finished, but its code changed since: keep the result or run it again?
        case changed(status: String, recordedSHA256: String, currentSHA256: String?)
        /// It started and no end was recorded; `idempotent` steps simply run again.
        case unknown(idempotent: Bool)
        /// It started and its process is still alive: the resume must wait.
        case stillRunning(pid: Int32)
    }

    /// One runbook step the journal knows.
    public struct StepPlan: Sendable {
        /// The step's number in the runbook as it is now.
        public var number: Int
        /// The step's key.
        public var key: String
        /// What to do.
        public var decision: Decision
        /// Attempts recorded so far (attempt numbers go on from there).
        public var attempts: Int
    }

    /// Keys in the journal that the runbook no longer has (removed or renamed), in journal order.
    public var removedKeys: [String] = []
    /// The runbook steps the journal knows, in runbook order.
    public var steps: [StepPlan] = []
    /// Variables exported by finished steps, restored for later steps.
    public var carried: [String: String] = [:]
    /// Secret variables finished steps exported: not stored, so not restored.
    public var lostSecrets: [String] = []
    /// Whether the runbook's bytes differ from the ones the run started with.
    public var runbookChanged: Bool

    /// Compares `history` with `runbook`; `liveness` tells whether a recorded process still runs.
    public init(history: RunHistory, runbook: Runbook, liveness: any ProcessLiveness) {
        runbookChanged = runbook.sha256 != history.runStart.runbook?.sha256
        let currentKeys = Set(runbook.steps.map(\.key))
        removedKeys = history.order.filter { !currentKeys.contains($0) }
        for key in history.order {
            guard let record = history.steps[key], case .completed = record.state else { continue }
            for variable in record.exports {
                if let value = variable.value { carried[variable.name] = value } else { lostSecrets.append(variable.name) }
            }
            for name in record.unset { carried.removeValue(forKey: name) }
        }
        for step in runbook.steps {
            guard let record = history.steps[step.key] else { continue }
            let decision = Self.decide(step, record, history: history, liveness: liveness)
            steps.append(StepPlan(number: step.number, key: step.key, decision: decision, attempts: record.attempts))
        }
    }

    private static func decide(_ step: Step, _ record: RunHistory.StepRecord, history: RunHistory, liveness: any ProcessLiveness) -> Decision {
        switch record.state {
        case .notStarted, .failed:
            return .run
        case .completed(let status):
            guard step.kind != .manual, let recorded = record.codeSHA256, recorded != step.codeSHA256 else {
                return .done(status: status)
            }
            return .changed(status: status, recordedSHA256: recorded, currentSHA256: step.codeSHA256)
        case .unknown:
            if history.isStillRunning(record, liveness: liveness) { return .stillRunning(pid: record.pid ?? 0) }
            return .unknown(idempotent: step.attributes.idempotent)
        }
    }

    /// The plan for the step numbered `number`, if the journal knows it.
    public func step(_ number: Int) -> StepPlan? { steps.first { $0.number == number } }
}
