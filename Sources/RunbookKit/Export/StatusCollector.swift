/// Folds journal records into per-step status (`runbook status`; `runbook export` and `runbook diff`
/// stream the journal through it record by record).
///
/// A run may have tens of thousands of steps, so a step is its key, its position in `keys`, and
/// 32 bytes of counts and codes; the decisions and notes of the few steps that have
/// some, and an outcome other than the usual ones, are kept beside them.
struct StatusCollector {
    /// Every step key the journal names, in the order first named, and each one's position.
    private var positions = KeyPositions()
    private var folded: [FoldedStep] = []
    /// The decisions and notes of the steps that have some, by position.
    private var stepEvents: [Int: [RunStatus.Event]] = [:]
    /// Outcomes not in `FoldedStep.usualOutcomes`, by position.
    private var otherOutcomes: [Int: String] = [:]
    /// Decisions and notes on the run as a whole.
    private(set) var runEvents: [RunStatus.Event] = []
    /// Who operates the run from the last record on (`user@host`).
    private(set) var who = "?"
    /// The runbook copy the run last ran.
    private(set) var snapshot: String?

    /// Every step key the journal names, in the order first named: a step's position.
    var keys: [String] { positions.keys }

    /// The position of the step `key`, when the journal names it.
    func position(of key: String) -> Int? { positions.position(of: key) }

    /// The status of the step at `position`.
    func status(at position: Int) -> RunStatus.StepStatus {
        let step = folded[position]
        return RunStatus.StepStatus(
            key: keys[position], number: nil, title: nil, outcome: outcome(at: position), attempts: step.attempts, durationMs: step.durationMs,
            outputBytes: step.outputBytes, exitCode: step.hasExitCode ? step.exitCode : nil, events: stepEvents[position] ?? [])
    }

    /// The status of the step `key`; nil when the journal does not name it.
    func status(of key: String) -> RunStatus.StepStatus? { position(of: key).map(status(at:)) }

    /// Whether a step started and has no end (outcome `unknown`).
    var hasUnknownOutcome: Bool { folded.contains { $0.outcome == FoldedStep.unknown } }

    /// Cuts the tables to their size, once the last record is in.
    mutating func shrink() {
        positions.shrink()
        folded = folded.trimmed()
    }

    /// Folds `record` in; returns the position of the step it is about, if it is about one.
    @discardableResult
    mutating func add(_ record: JournalRecord) -> Int? {
        if record.type == .runStart || (record.type == .note && record.operatorName != nil) {
            who = "\(record.operatorName ?? "?")@\(record.host ?? "?")"
        }
        if let ref = record.runbook { snapshot = ref.snapshot }
        if record.type == .runStart, folded.isEmpty {
            // A step each, made at its size (as the run's history is): not grown by doubling.
            folded.reserveCapacity(record.stepsToReserve)
        }
        guard let key = record.key else {
            if record.type == .decision || record.type == .note || record.type == .recovered {
                runEvents.append(event(record))
            }
            return nil
        }
        let position = self.position(adding: key)
        switch record.type {
        case .stepStart:
            if (record.attempt ?? 0) > 0 { folded[position].attempts += 1 }
            setOutcome("unknown", at: position)
        case .stepEnd:
            setOutcome(record.status ?? "failed", at: position)
            folded[position].durationMs += record.durationMs ?? 0
            folded[position].outputBytes += record.output?.bytesTotal ?? 0
            if let code = record.exitCode { (folded[position].exitCode, folded[position].hasExitCode) = (code, true) }
        case .decision:
            stepEvents[position, default: []].append(event(record))
            if record.choice == "skip", outcome(at: position) != "skipped" { setOutcome("skipped", at: position) }
            if record.choice == "removed" { setOutcome("removed", at: position) }
            // A resume took this step for a renamed one (`text`: its old key) that had finished:
            // it has that outcome, as the run's history gives it (its attempts stay its own).
            if record.choice == "matched", let old = record.text, let from = positions.position(of: old), from != position,
                ["ok", "done", "skipped"].contains(outcome(at: from))
            {
                setOutcome(outcome(at: from), at: position)
                if folded[from].hasExitCode { (folded[position].exitCode, folded[position].hasExitCode) = (folded[from].exitCode, true) }
            }
        case .note:
            stepEvents[position, default: []].append(event(record))
        default:
            break
        }
        return position
    }

    private mutating func position(adding key: String) -> Int {
        let position = positions.insert(key)
        if position == folded.count { folded.append(FoldedStep()) }
        return position
    }

    private func outcome(at position: Int) -> String {
        let code = Int(folded[position].outcome)
        return code < FoldedStep.usualOutcomes.count ? FoldedStep.usualOutcomes[code] : otherOutcomes[position] ?? "failed"
    }

    private mutating func setOutcome(_ outcome: String, at position: Int) {
        if let code = FoldedStep.usualOutcomes.firstIndex(of: outcome) {
            folded[position].outcome = UInt8(code)
            otherOutcomes[position] = nil
        } else {
            folded[position].outcome = UInt8.max
            otherOutcomes[position] = outcome
        }
    }

    private func event(_ record: JournalRecord) -> RunStatus.Event {
        RunStatus.Event(
            ts: record.ts, who: who, kind: record.type == .decision ? "decision" : record.type.rawValue, choice: record.choice,
            text: record.type == .decision ? record.reason : record.text)
    }
}

/// A step's counts and codes as `StatusCollector` keeps them.
private struct FoldedStep {
    /// The outcomes a step usually has; `outcome` is an index into them (`UInt8.max`: another one).
    static let usualOutcomes = ["not_run", "unknown", "ok", "failed", "timed_out", "interrupted", "skipped", "done", "removed", "rehearsed"]
    static let unknown: UInt8 = 1

    var durationMs = 0
    var outputBytes = 0
    var attempts = 0
    var exitCode: Int32 = 0
    var hasExitCode = false
    var outcome: UInt8 = 0
}

/// Keys in the order first inserted, each found by its position through a table of 4-byte slots,
/// at most three quarters full (a `[String: Int32]` would keep each key a second time, in 20-byte slots).
struct KeyPositions {
    /// The keys; a key's position is its index here.
    private(set) var keys: [String] = []
    /// Positions in `keys` (-1: an empty slot), at the slot a key's hash picks or the next free one after it.
    private var slots = [Int32](repeating: -1, count: 16)

    /// The position of `key`, if it was inserted.
    func position(of key: String) -> Int? {
        let slot = self.slot(of: key)
        return slots[slot] >= 0 ? Int(slots[slot]) : nil
    }

    /// The position of `key`, inserted at the end if it was not there.
    mutating func insert(_ key: String) -> Int {
        let slot = self.slot(of: key)
        if slots[slot] >= 0 { return Int(slots[slot]) }
        let position = keys.count
        keys.append(key)
        slots[slot] = Int32(position)
        if keys.count * 4 > slots.count * 3 { rehash(slotCount: slots.count * 2) }
        return position
    }

    /// Cuts the key list to its size.
    mutating func shrink() { keys = keys.trimmed() }

    /// The slot that holds `key`, or the empty one where it would go.
    private func slot(of key: String) -> Int {
        let mask = slots.count - 1
        var slot = key.hashValue & mask
        while slots[slot] >= 0, keys[Int(slots[slot])] != key { slot = (slot + 1) & mask }
        return slot
    }

    private mutating func rehash(slotCount: Int) {
        slots = [Int32](repeating: -1, count: slotCount)
        for (position, key) in keys.enumerated() { slots[slot(of: key)] = Int32(position) }
    }
}
