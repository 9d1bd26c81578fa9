/// What resuming a run means, step by step: the runbook the run last ran (its recorded copy) and
/// the journal's history, compared with the runbook as it is now. Pure: it asks nobody;
/// Execution applies the operator's flags or asks where a step needs a decision.
///
/// Steps are matched by key, never by position: a step with an `id` or a `name` matches the step
/// with the same key; a step whose key is only its position (`heading#N`) matches only when its
/// code is the same too. What is left is compared by content (the code's SHA-256, or a manual
/// step's text): a step that vanished and one that appeared with the same content are suggested
/// as the same step, renamed; the rest were removed or added.
public struct ResumePlan: Sendable {
    /// What to do with one step of the runbook as it is now.
    public enum Decision: Equatable, Sendable {
        /// Never started, or its last attempt failed: it runs.
        case run
        /// It finished (`ok`, `done`, `skipped`) with the same code: it is not run again.
        case done(status: String)
        /// It finished, but its code changed since: keep the result or run it again? (Boxed, as is
        /// `unknown`: the few steps that need a decision carry their details, a plan of 33,333
        /// steps stays small.)
        indirect case changed(status: String, change: CodeChange)
        /// It started and no end was recorded. An `idempotent` step whose code did not change simply runs again.
        indirect case unknown(idempotent: Bool, change: CodeChange?, evidence: Evidence)
        /// It started and its process is still alive: the resume must wait.
        case stillRunning(pid: Int32)
        /// It is new since the run started: run it or skip it?
        case added
        /// It has the content of a step that vanished (`from`): the same step, renamed? `finished`
        /// is the status that step finished with; nil when it had not finished (then it simply runs).
        /// (Boxed: unboxed, its two strings would make every step's plan 16 bytes larger.)
        indirect case renamed(from: String, finished: String?)
    }

    /// A step's code then and now.
    public struct CodeChange: Equatable, Sendable {
        /// The code's SHA-256 when it last ran.
        public var recordedSHA256: String
        /// The code's SHA-256 now.
        public var currentSHA256: String?
        /// The code as the recorded runbook has it, when its copy could be read.
        public var recordedCode: String?
    }

    /// What the journal knows of a step whose outcome is unknown.
    public struct Evidence: Equatable, Sendable {
        /// The key it ran under.
        public var key: String
        /// When its last attempt started.
        public var started: String?
        /// The last time the journal heard of it.
        public var lastHeard: String?
        /// Its partial output record, relative to the run folder.
        public var outputFile: String?
        /// Where its partial output begins in `outputFile` (version 2, `output.log`); nil when the
        /// file is its alone (version 1).
        public var outputStart: Int? = nil
        /// Where its partial output ends: where the next attempt's begins; nil for the end of the file.
        public var outputEnd: Int? = nil
        /// Its process id, if it was spawned.
        public var pid: Int32?
    }

    /// One step of the runbook as it is now.
    public struct StepPlan: Sendable {
        /// Its number now.
        public var number: Int
        /// Its key now.
        public var key: String
        /// What to do.
        public var decision: Decision
        /// Attempts recorded so far under its (or its old) key: attempt numbers go on from there.
        public var attempts: Int
    }

    /// A step of the recorded runbook that the runbook no longer has.
    public struct Removed: Equatable, Sendable {
        /// Its key.
        public var key: String
        /// The status it finished with; nil when it never finished.
        public var finished: String?
        /// Its outcome is unknown (it was running when the runner stopped).
        public var unknown: Bool
    }

    /// Every step of the runbook as it is now, in order.
    public var steps: [StepPlan] = []
    /// Recorded steps that are gone, in recorded order.
    public var removed: [Removed] = []
    /// Variables exported by finished steps, restored for later steps.
    public var carried: [String: String] = [:]
    /// Secret variables finished steps exported: not stored, so not restored.
    public var lostSecrets: [String] = []
    /// Whether the runbook's bytes differ from the ones the run last ran.
    public var runbookChanged: Bool
    /// Whether the runbook is still the one the run started with (see `identity`).
    public var sameRunbook: Bool
    /// How the identity was measured, for messages: `2 of 3 recorded steps are still there`.
    public var identity: String

    /// Compares `history` and `recorded` (the runbook the run last ran, nil when its copy is
    /// missing: then only the journal's keys and code hashes are known) with `runbook`.
    public init(history: RunHistory, recorded: Runbook?, runbook: Runbook, liveness: any ProcessLiveness) {
        self.init(history: history, recordedSteps: recorded.map { RecordedRunbook($0) }, runbook: runbook, liveness: liveness)
    }

    /// Compares `history` and what matching needs of the runbook the run last ran (nil when its
    /// copy is missing) with `runbook`.
    public init(history: RunHistory, recordedSteps recorded: RecordedRunbook?, runbook: Runbook, liveness: any ProcessLiveness) {
        runbookChanged = runbook.sha256 != (history.latestRunbook?.sha256 ?? history.runStart.runbook?.sha256)
        // The recorded runbook is the one now (same bytes): each step is its own match, nothing is removed.
        let then: RecordedSteps
        var matcher: StepMatcher?
        if recorded?.isCurrent == true {
            then = .current(runbook.steps)
        } else {
            let steps = recorded?.steps ?? history.allSteps.map(RecordedStep.init)
            then = .recorded(steps)
            matcher = StepMatcher(recorded: steps, current: runbook.steps)
            matcher?.match()
        }
        let unmatched = matcher?.unmatchedRecorded ?? []
        let kept = then.count - unmatched.count
        sameRunbook = then.count == 0 || kept * 2 >= then.count || (kept >= 1 && recorded?.title != nil && recorded?.title == runbook.title)
        identity = "\(kept) of \(then.count) recorded step\(then.count == 1 ? "" : "s") are still there (by key, or by the same code)"
        for index in unmatched {
            let key = then.key(index)
            guard !history.removedKeys.contains(key) else { continue }
            let record = history.step(key)
            removed.append(Removed(key: key, finished: record.flatMap { Self.finishedStatus($0.state) }, unknown: record?.state == .unknown))
        }
        restoreExports(history)
        steps.reserveCapacity(runbook.steps.count)
        for (position, step) in runbook.steps.enumerated() {
            let decision: Decision
            var attempts = 0
            switch matcher?.match(at: position) ?? .same(position) {
            case .same(let index):
                let record = history.step(then.key(index))
                attempts = record?.attempts ?? 0
                decision = record.map { Self.decide(step, $0, recordedCode: { then.code(index) }, history: history, liveness: liveness) } ?? .run
            case .renamed(let index):
                let record = history.step(then.key(index))
                attempts = record?.attempts ?? 0
                if let record, record.state == .unknown {
                    decision = Self.decide(step, record, recordedCode: { then.code(index) }, history: history, liveness: liveness)
                } else {
                    decision = .renamed(from: then.key(index), finished: record.flatMap { Self.finishedStatus($0.state) })
                }
            case .added:
                // Even if the journal knows its key: an ordinal key that now names other code is another step.
                decision = .added
            }
            steps.append(StepPlan(number: step.number, key: step.key, decision: decision, attempts: attempts))
        }
    }

    private mutating func restoreExports(_ history: RunHistory) {
        for record in history.allSteps {
            guard case .completed = record.state else { continue }
            for variable in record.exports {
                if let value = variable.value { carried[variable.name] = value } else { lostSecrets.append(variable.name) }
            }
            for name in record.unset { carried.removeValue(forKey: name) }
        }
    }

    private static func finishedStatus(_ state: RunHistory.StepState) -> String? {
        if case .completed(let status) = state { return status }
        return nil
    }

    private static func decide(
        _ step: Step, _ record: RunHistory.StepRecord, recordedCode: () -> String?, history: RunHistory, liveness: any ProcessLiveness
    ) -> Decision {
        let change: CodeChange? =
            if step.kind != .manual, let sha = record.codeSHA256, sha != step.codeSHA256 {
                CodeChange(recordedSHA256: sha, currentSHA256: step.codeSHA256, recordedCode: recordedCode())
            } else {
                nil
            }
        switch record.state {
        case .notStarted, .failed:
            return .run
        case .completed(let status):
            guard let change else { return .done(status: status) }
            return .changed(status: status, change: change)
        case .unknown:
            let attempt = history.openAttempts[record.key]
            if history.isStillRunning(record, liveness: liveness) { return .stillRunning(pid: attempt?.pid ?? 0) }
            var evidence = Evidence(
                key: record.key, started: attempt?.startTs, lastHeard: attempt?.lastTs,
                outputFile: attempt.map { "out/\($0.startSeq).log" }, pid: attempt?.pid)
            if let offset = attempt?.outputOffset {
                evidence.outputFile = "output.log"
                evidence.outputStart = offset
                evidence.outputEnd = history.outputEnd(after: offset)
            }
            return .unknown(idempotent: step.attributes.idempotent, change: change, evidence: evidence)
        }
    }

    /// The plan for the step numbered `number`.
    public func step(_ number: Int) -> StepPlan? {
        // Steps are numbered in order from 1: at its place, else (a plan made otherwise) searched.
        if number >= 1, number <= steps.count, steps[number - 1].number == number { return steps[number - 1] }
        return steps.first { $0.number == number }
    }
}

/// What a resume compares of the runbook a run last ran: its title and, for each step, what
/// matching needs (key, content hash, code). Kept instead of the parsed runbook, so the run's
/// copy can be parsed and let go before the runbook as it is now is parsed: the two parses are
/// then never in memory together. When the copy has the bytes of the runbook as it is now
/// (`sameAs`), nothing is kept: the runbook's own steps are the recorded ones, matched one to one.
public struct RecordedRunbook: Sendable {
    let title: String?
    let steps: [RecordedStep]
    /// The recorded runbook is the runbook as it is now (same bytes): `steps` is empty.
    let isCurrent: Bool

    /// What matching needs of `runbook`.
    public init(_ runbook: Runbook) {
        title = runbook.title
        steps = runbook.steps.map(RecordedStep.init)
        isCurrent = false
    }

    /// The recorded runbook when its copy has the bytes of `runbook`, the runbook as it is now.
    public init(sameAs runbook: Runbook) {
        title = runbook.title
        steps = []
        isCurrent = true
    }
}

/// A step of the recorded runbook, as far as matching needs it: about 80 bytes inline and nothing
/// on the heap but a key over 15 bytes (the code is a stretch of the copy's bytes).
struct RecordedStep: Sendable {
    var key: String
    var ordinal: Bool
    /// The code's SHA-256, or for a manual step a hash of its text.
    var content: HexDigest?
    var codeText: FileText?

    var code: String? { codeText?.string }

    init(_ step: Step) {
        key = step.key
        ordinal = step.keySource == .ordinal
        content = contentHash(step)
        codeText = step.codeText
    }

    /// A step the journal names, when the recorded runbook's copy is missing.
    init(_ record: RunHistory.StepRecord) {
        key = record.key
        ordinal = record.key.contains("#")
        content = record.codeSHA256.flatMap(HexDigest.init(hex:))
        codeText = nil
    }
}

/// What identifies a step's content: its code's SHA-256, or for a manual step its text's.
func contentHash(_ step: Step) -> HexDigest? {
    step.kind == .manual ? SHA256.digest("manual\u{0}" + step.title) : step.codeText?.sha256Digest
}

/// The recorded steps as matching reads them: the recorded runbook's, or the runbook's as it is now
/// when the recorded one is the same (then step `i` stands for itself).
enum RecordedSteps {
    case recorded([RecordedStep])
    case current([Step])

    var count: Int {
        switch self {
        case .recorded(let steps): steps.count
        case .current(let steps): steps.count
        }
    }

    func key(_ index: Int) -> String {
        switch self {
        case .recorded(let steps): steps[index].key
        case .current(let steps): steps[index].key
        }
    }

    func code(_ index: Int) -> String? {
        switch self {
        case .recorded(let steps): steps[index].code
        case .current(let steps): steps[index].code
        }
    }
}

/// Pairs the recorded steps with the steps of the runbook now: by key first (an ordinal key also
/// needs the same content), then what is left by content, in order. Each step now has its match
/// at its position; recorded steps of the same content wait in a queue per content, so a runbook
/// whose every step was renamed is matched in one pass, not one scan of the recorded steps a step.
struct StepMatcher {
    enum Match {
        case same(Int)
        case renamed(Int)
        case added

        var isAdded: Bool { if case .added = self { true } else { false } }
    }

    let recorded: [RecordedStep]
    let current: [Step]
    private var matches: [Match] = []
    private(set) var unmatchedRecorded: [Int] = []

    init(recorded: [RecordedStep], current: [Step]) {
        self.recorded = recorded
        self.current = current
    }

    mutating func match() {
        var used = [Bool](repeating: false, count: recorded.count)
        matches = [Match](repeating: .added, count: current.count)
        var byKey: [String: Int] = [:]
        byKey.reserveCapacity(recorded.count)
        for (index, step) in recorded.enumerated() where byKey[step.key] == nil { byKey[step.key] = index }
        for (position, step) in current.enumerated() {
            guard let index = byKey[step.key], !used[index] else { continue }
            if step.keySource == .ordinal || recorded[index].ordinal, recorded[index].content != contentHash(step) { continue }
            matches[position] = .same(index)
            used[index] = true
        }
        byKey = [:]
        if matches.contains(where: \.isAdded) {
            // The recorded steps not matched by key, by content, each content's in recorded order.
            var byContent: [HexDigest: [Int]] = [:]
            for (index, step) in recorded.enumerated() where !used[index] {
                if let content = step.content { byContent[content, default: []].append(index) }
            }
            var taken: [HexDigest: Int] = [:]
            for (position, step) in current.enumerated() where matches[position].isAdded {
                guard let content = contentHash(step), let queue = byContent[content] else { continue }
                let next = taken[content, default: 0]
                guard next < queue.count else { continue }
                taken[content] = next + 1
                matches[position] = .renamed(queue[next])
                used[queue[next]] = true
            }
        }
        unmatchedRecorded = recorded.indices.filter { !used[$0] }
    }

    /// The match of the step at `position` (0-based) of the runbook now.
    func match(at position: Int) -> Match { position < matches.count ? matches[position] : .added }
}
