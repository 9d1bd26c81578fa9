/// What this runner process knows of each step of its runbook, by step number: its final outcome
/// so far (the last attempt counts), its attempts and time here, its last exit status, why it
/// failed or was skipped, the attempts a resumed run recorded before, and whether a resume found
/// it finished earlier.
///
/// One compact record a step (24 bytes; the texts few steps have in one optional box), allocated
/// once for the whole runbook: a runner of 33,333 steps keeps 0.8 MB here, not dictionaries keyed
/// by step key that grow (copying themselves) as the run goes.
struct StepLedger {
    /// One step.
    struct Entry {
        /// Time its attempts took in this process, for the screen (the journal has each attempt's
        /// own): kept to about 49 days, more shown as that.
        var durationMs: Int {
            get { Int(duration) }
            set { duration = UInt32(clamping: newValue) }
        }
        /// Attempts recorded for it before this process (a resumed run's attempt numbers go on).
        var attemptsBefore: Int {
            get { Int(before) }
            set { before = Int32(clamping: newValue) }
        }
        fileprivate var rare: Rare?
        private var duration: UInt32 = 0
        private var before: Int32 = 0
        /// Attempts started in this process.
        var attempts: Int32 = 0
        /// The last exit status when it is 0–255, as a process's is (another is kept in `rare`).
        fileprivate var exitCode: UInt8 = 0
        fileprivate var outcomeCode: UInt8 = 0
        fileprivate var flags: UInt8 = 0

        /// The last attempt's exit status, when its process exited.
        var lastExitCode: Int32? { flags & Flag.hasExitCode != 0 ? rare?.texts.exitCode ?? Int32(exitCode) : nil }
        /// The signal that killed the last attempt, by name.
        var signal: String? { rare?.texts.signal }
        /// Why the last attempt failed.
        var error: String? { rare?.texts.error }
        /// Why it was skipped or done without running (the operator's reason).
        var reason: String? { rare?.texts.reason }
        /// A resumed run found it finished and did not run it again.
        var finishedEarlier: Bool { flags & Flag.finishedEarlier != 0 }
        /// The run went past it as finished earlier (the end report says so).
        var shownEarlier: Bool { flags & Flag.shownEarlier != 0 }
    }

    /// The texts few steps have, boxed: a step that ran and succeeded has none. Steps with the same
    /// texts in a row share one box: the 99,990 steps `--from` goes past in a runbook of 100,000
    /// all say "not selected: before --from …", once (they took 14.4 MB, a box and a string each).
    fileprivate final class Rare {
        let texts: RareTexts
        init(_ texts: RareTexts) { self.texts = texts }
    }

    /// What a `Rare` box holds.
    fileprivate struct RareTexts: Equatable {
        /// An outcome beyond the status table's 255 distinct ones.
        var outcome: String?
        var signal: String?
        var error: String?
        var reason: String?
        /// An exit status outside 0–255.
        var exitCode: Int32?
    }

    private enum Flag {
        static let hasExitCode: UInt8 = 1
        static let hasOutcome: UInt8 = 2
        static let finishedEarlier: UInt8 = 4
        static let shownEarlier: UInt8 = 8
    }

    private var entries: [Entry]
    private var statuses = StatusTable()
    /// The box made last, given again for the same texts.
    private var lastRare: Rare?

    /// Step `number`'s texts with `change` made to them, boxed: the box made last when it holds the
    /// same texts, nil when there are none.
    private mutating func texts(of number: Int, _ change: (inout RareTexts) -> Void) -> Rare? {
        var texts = self[number].rare?.texts ?? RareTexts()
        change(&texts)
        if texts == RareTexts() { return nil }
        if let last = lastRare, last.texts == texts { return last }
        let box = Rare(texts)
        lastRare = box
        return box
    }

    /// A ledger for a runbook of `steps` steps, numbered from 1.
    init(steps: Int) { entries = Array(repeating: Entry(), count: steps) }

    /// The step numbered `number` (steps are numbered in order from 1).
    subscript(number: Int) -> Entry {
        entries.indices.contains(number - 1) ? entries[number - 1] : Entry()
    }

    private mutating func update(_ number: Int, _ change: (inout Entry) -> Void) {
        guard number >= 1 else { return }
        if number > entries.count { entries.append(contentsOf: repeatElement(Entry(), count: number - entries.count)) }
        change(&entries[number - 1])
    }

    /// The step's final outcome so far (`ok`, `failed`, `skipped`, …); nil before it has one.
    func outcome(_ number: Int) -> String? {
        let entry = self[number]
        guard entry.flags & Flag.hasOutcome != 0 else { return nil }
        return statuses.string(entry.outcomeCode) ?? entry.rare?.texts.outcome
    }

    /// Sets the step's outcome (the last attempt counts).
    mutating func setOutcome(_ number: Int, _ status: String) {
        let code = statuses.code(status)
        let box = texts(of: number) { $0.outcome = code == nil ? status : nil }
        update(number) { entry in
            entry.flags |= Flag.hasOutcome
            entry.outcomeCode = code ?? 0
            entry.rare = box
        }
    }

    /// One more attempt started in this process.
    mutating func addAttempt(_ number: Int) { update(number) { $0.attempts += 1 } }

    /// An attempt's process outcome: its time adds up, its exit status, signal and error replace the last one's.
    mutating func recordEnd(_ number: Int, durationMs: Int, exitCode: Int32?, signal: String?, error: String?) {
        let narrow = exitCode.flatMap { UInt8(exactly: $0) }
        let box = texts(of: number) { texts in
            texts.signal = signal
            texts.error = error
            texts.exitCode = narrow == nil ? exitCode : nil
        }
        update(number) { entry in
            entry.durationMs += durationMs
            entry.exitCode = narrow ?? 0
            if exitCode != nil { entry.flags |= Flag.hasExitCode } else { entry.flags &= ~Flag.hasExitCode }
            entry.rare = box
        }
    }

    /// Why the step was skipped or done without running (replaces the last reason).
    mutating func setReason(_ number: Int, _ reason: String?) {
        let box = texts(of: number) { $0.reason = reason }
        update(number) { $0.rare = box }
    }

    /// The attempts a resumed run recorded for the step before this process.
    mutating func setAttemptsBefore(_ number: Int, _ attempts: Int) { update(number) { $0.attemptsBefore = attempts } }

    /// A resumed run found the step finished: it is not run again.
    mutating func markFinishedEarlier(_ number: Int) { update(number) { $0.flags |= Flag.finishedEarlier } }

    /// The run went past the step as finished earlier.
    mutating func markShownEarlier(_ number: Int) { update(number) { $0.flags |= Flag.shownEarlier } }

    /// How many steps have each outcome (each step once, by its final outcome).
    var counts: [String: Int] {
        var counts: [String: Int] = [:]
        for index in entries.indices {
            if let outcome = outcome(index + 1) { counts[outcome, default: 0] += 1 }
        }
        return counts
    }

    /// Whether the two steps' texts are one box (the same texts, set one after the other).
    func sharesTexts(_ first: Int, _ second: Int) -> Bool {
        guard let box = self[first].rare else { return false }
        return self[second].rare === box
    }

    /// Whether the step numbered `number` has no outcome and started no attempt here: the run did
    /// not reach it (one that started and has none ran while the journal failed under it).
    func notReached(_ number: Int) -> Bool { outcome(number) == nil && self[number].attempts == 0 }

    /// Whether any step has an outcome or started an attempt here: there is something to report.
    var anyReached: Bool { entries.contains { $0.flags & Flag.hasOutcome != 0 || $0.attempts > 0 } }
}
