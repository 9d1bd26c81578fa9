/// `runbook diff RUN_A RUN_B`: step by step, how two runs of a runbook differ (outcome, attempts,
/// duration, skipped, edited code) and how the runbook itself changed between them (steps added,
/// removed, code changed), so a rehearsal can be held against the real incident.
public struct RunDiff: Encodable, Sendable {
    /// One run, in brief.
    public struct Side: Encodable, Sendable {
        /// The run id.
        public var runId: String
        /// `live` or `rehearsal`.
        public var mode: String
        /// How it ended, or where it stands.
        public var state: String
        /// Who ran it (`user@host`).
        public var operatorName: String
        /// When it started.
        public var started: String
        /// Milliseconds from the start to its end (or its last record).
        public var durationMs: Int?
        /// The runbook's path as given.
        public var runbook: String
        /// The SHA-256 of the runbook copy the run last ran.
        public var runbookSHA256: String
        /// The incident id.
        public var incident: String?

        enum CodingKeys: String, CodingKey {
            case runId = "run_id"
            case mode, state
            case operatorName = "operator"
            case started
            case durationMs = "duration_ms"
            case runbook
            case runbookSHA256 = "runbook_sha256"
            case incident
        }
    }

    /// One step in one run.
    public struct StepSide: Encodable, Sendable, Equatable {
        /// Its number in that run's runbook.
        public var number: Int?
        /// Its outcome.
        public var outcome: String
        /// Attempts made.
        public var attempts: Int
        /// Milliseconds its attempts ran.
        public var durationMs: Int
        /// The last exit code.
        public var exitCode: Int32?
        /// The skip or confirmation reason.
        public var reason: String?
        /// SHA-256 of each edited version of its code that ran.
        public var editedCode: [String]
        /// SHA-256 of its code in that run's runbook copy.
        public var codeSHA256: String?

        enum CodingKeys: String, CodingKey {
            case number, outcome, attempts
            case durationMs = "duration_ms"
            case exitCode = "exit_code"
            case reason
            case editedCode = "edited_code"
            case codeSHA256 = "code_sha256"
        }
    }

    /// One step key in either run.
    public struct StepDiff: Encodable, Sendable {
        /// The step's key.
        public var key: String
        /// Its title (in B's runbook, else A's).
        public var title: String?
        /// The step in run A; nil when A's runbook and journal do not have it.
        public var a: StepSide?
        /// The step in run B.
        public var b: StepSide?
        /// What differs: `only_in_a`, `only_in_b`, `outcome` (`rehearsed` and `ok` count as the same),
        /// `attempts`, `duration`, `exit_code`, `skipped`, `edited_code`, `code` (the runbook's code
        /// of the step changed between the runs).
        public var changes: [String]
        /// B's duration minus A's, in milliseconds, when both ran.
        public var durationDeltaMs: Int?
        /// A line diff of the step's code from A's runbook copy to B's, when it changed.
        public var codeDiff: [String]?

        enum CodingKeys: String, CodingKey {
            case key, title, a, b, changes
            case durationDeltaMs = "duration_delta_ms"
            case codeDiff = "code_diff"
        }
    }

    /// Always `runbook-diff`.
    public var format = "runbook-diff"
    /// The format's version.
    public var version = 1
    /// The first run.
    public var a: Side
    /// The second run.
    public var b: Side
    /// Whether both runs ran byte-identical runbooks.
    public var sameRunbook: Bool
    /// Every step key of either run: B's runbook order, with A's other keys where they were.
    public var steps: [StepDiff]
    /// Keys whose steps differ in any way.
    public var differing: Int

    enum CodingKeys: String, CodingKey {
        case format, version, a, b
        case sameRunbook = "same_runbook"
        case steps, differing
    }

    /// The difference between run `a` and run `b`.
    public init(a: RunExport, b: RunExport) {
        self.a = Self.side(a)
        self.b = Self.side(b)
        sameRunbook = a.copy?.sha256 != nil && a.copy?.sha256 == b.copy?.sha256
        let (stepsA, stepsB) = (a.allSteps, b.allSteps)
        let left = Dictionary(stepsA.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let right = Dictionary(stepsB.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        steps = Self.mergedKeys(stepsA.map(\.key), stepsB.map(\.key)).map { key in Self.compare(key, left[key], right[key]) }
        differing = steps.filter { !$0.changes.isEmpty }.count
    }

    /// B's keys in order, each of A's other keys placed after the key it followed in A.
    static func mergedKeys(_ a: [String], _ b: [String]) -> [String] {
        let inB = Set(b)
        var after: [String: [String]] = [:]
        var leading: [String] = []
        var previous: String?
        for key in a {
            if inB.contains(key) {
                previous = key
            } else if let previous {
                after[previous, default: []].append(key)
            } else {
                leading.append(key)
            }
        }
        var out = leading
        for key in b { out += [key] + (after[key] ?? []) }
        // Keys placed after a key that B does not have (chains of removed steps) were added above.
        var seen = Set<String>()
        return (out + a).filter { seen.insert($0).inserted }
    }

    private static func side(_ run: RunExport) -> Side {
        Side(
            runId: run.run.runId, mode: run.run.mode, state: run.run.state, operatorName: "\(run.run.operatorName)@\(run.run.host)",
            started: run.run.started, durationMs: run.run.durationMs, runbook: run.runbook.path,
            runbookSHA256: run.copy?.sha256 ?? run.runbook.snapshotSHA256, incident: run.run.incident)
    }

    private static func stepSide(_ step: ExportStep) -> StepSide {
        StepSide(
            number: step.number, outcome: step.status.outcome, attempts: step.status.attempts, durationMs: step.status.durationMs,
            exitCode: step.status.exitCode, reason: step.reason, editedCode: step.attempts.compactMap { $0.editedCode?.sha256 },
            codeSHA256: step.step?.codeSHA256)
    }

    /// Whether two outcomes say the same: equal, or a rehearsal's `rehearsed` (every check passed)
    /// against a live run's `ok`, so a rehearsal held against the real run shows only what went otherwise.
    static func sameOutcome(_ a: String, _ b: String) -> Bool {
        a == b || Set([a, b]) == ["rehearsed", "ok"]
    }

    private static func compare(_ key: String, _ left: ExportStep?, _ right: ExportStep?) -> StepDiff {
        var diff = StepDiff(key: key, title: right?.title ?? left?.title, a: left.map(stepSide), b: right.map(stepSide), changes: [])
        guard let left, let right, let a = diff.a, let b = diff.b else {
            diff.changes = [left == nil ? "only_in_b" : "only_in_a"]
            return diff
        }
        var changes: [String] = []
        if !Self.sameOutcome(a.outcome, b.outcome) { changes.append("outcome") }
        if (a.outcome == "skipped") != (b.outcome == "skipped") { changes.append("skipped") }
        if a.attempts != b.attempts { changes.append("attempts") }
        if let x = a.exitCode, let y = b.exitCode, x != y { changes.append("exit_code") }
        if a.attempts > 0 && b.attempts > 0 {
            diff.durationDeltaMs = b.durationMs - a.durationMs
            let longer = max(a.durationMs, b.durationMs)
            if abs(b.durationMs - a.durationMs) >= 1000 && abs(b.durationMs - a.durationMs) * 2 > longer { changes.append("duration") }
        }
        if a.editedCode != b.editedCode { changes.append("edited_code") }
        if let old = left.step?.code, let new = right.step?.code, left.step?.codeSHA256 != right.step?.codeSHA256 {
            changes.append("code")
            diff.codeDiff = lineDiff(old, new)
        }
        diff.changes = changes
        return diff
    }
}
