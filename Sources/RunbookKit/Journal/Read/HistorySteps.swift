/// The steps a run's journal names, in the order each first appears: one compact record each
/// (64 bytes: the key, the last start's code hash as its 32 bytes, attempts, the state with its
/// status as a byte, and a box for what few steps have: exported or unset variables, a status or
/// code hash out of the ordinary), found by key through a table of positions (4 bytes a slot).
/// A journal of 33,333 steps folds into about 2.5 MB (a dictionary of `StepRecord`s by key and a
/// list of the keys took 11 MB).
struct HistorySteps: Sendable {
    private struct Stored: Sendable {
        var key: String
        /// The code hash, when `hasDigest` (not an optional: that would take 8 bytes more a step).
        var digestBytes = HexDigest.zero
        var attempts: Int32 = 0
        var status: UInt8 = 0
        var state = State.notStarted
        var hasDigest = false
        var extra: Extra?

        var digest: HexDigest? {
            get { hasDigest ? digestBytes : nil }
            set {
                hasDigest = newValue != nil
                digestBytes = newValue ?? .zero
            }
        }
    }

    private enum State: UInt8, Sendable {
        case notStarted, completed, failed, unknown
    }

    /// What few steps have. Never changed once made: a change makes a new box.
    private final class Extra: Sendable {
        /// A status beyond the table's 255.
        let status: String?
        /// A code hash that is not 64 lowercase hex digits.
        let codeSHA256: String?
        /// Attempts beyond `Int32`.
        let attempts: Int?
        let exports: [ExportedVariable]
        let unset: [String]

        init(status: String?, codeSHA256: String?, attempts: Int?, exports: [ExportedVariable], unset: [String]) {
            self.status = status
            self.codeSHA256 = codeSHA256
            self.attempts = attempts
            self.exports = exports
            self.unset = unset
        }

        /// A box for these; nil when there is nothing to keep.
        static func of(status: String?, codeSHA256: String?, attempts: Int?, exports: [ExportedVariable], unset: [String]) -> Extra? {
            status == nil && codeSHA256 == nil && attempts == nil && exports.isEmpty && unset.isEmpty
                ? nil : Extra(status: status, codeSHA256: codeSHA256, attempts: attempts, exports: exports, unset: unset)
        }
    }

    private var stored: [Stored] = []
    /// Open addressing: each slot 0 (empty) or a position + 1.
    private var slots: [UInt32] = []
    private var statuses = StatusTable()

    /// How many steps.
    var count: Int { stored.count }

    /// Room for `steps` steps without growing.
    mutating func reserve(_ steps: Int) {
        stored.reserveCapacity(steps)
        if slots.count < Self.slotCount(for: steps) { rehash(Self.slotCount(for: steps)) }
    }

    /// The step at `position`, as the journal says it now.
    func record(at position: Int) -> RunHistory.StepRecord {
        let step = stored[position]
        let extra = step.extra
        let status = statuses.string(step.status) ?? extra?.status ?? ""
        let state: RunHistory.StepState
        switch step.state {
        case .notStarted: state = .notStarted
        case .completed: state = .completed(status: status)
        case .failed: state = .failed(status: status)
        case .unknown: state = .unknown
        }
        return RunHistory.StepRecord(
            key: step.key, state: state, codeSHA256: step.digest?.hex ?? extra?.codeSHA256, attempts: extra?.attempts ?? Int(step.attempts),
            exports: extra?.exports ?? [], unset: extra?.unset ?? [])
    }

    /// The key of the step at `position`.
    func key(at position: Int) -> String { stored[position].key }

    /// Whether the step at `position` finished (ok, done, skipped), or has an unknown outcome.
    func isCompleted(at position: Int) -> Bool { stored[position].state == .completed }
    func isUnknown(at position: Int) -> Bool { stored[position].state == .unknown }

    // MARK: Folding records

    /// A `step_start`: the outcome is unknown until its end; its code hash and attempt are the latest.
    mutating func start(at position: Int, codeSHA256: String?, attempt: Int?) {
        var step = stored[position]
        step.state = .unknown
        let digest = codeSHA256.flatMap(HexDigest.init(hex:))
        step.digest = digest
        let attempts = max(step.extra?.attempts ?? Int(step.attempts), attempt ?? 0)
        let narrow = Int32(exactly: attempts)
        step.attempts = narrow ?? 0
        let extra = step.extra
        step.extra = .of(
            status: extra?.status, codeSHA256: digest == nil ? codeSHA256 : nil, attempts: narrow == nil ? attempts : nil,
            exports: extra?.exports ?? [], unset: extra?.unset ?? [])
        stored[position] = step
    }

    /// A `step_end` (or a skip): the step finished (`exports` and `unset` then replace the ones it
    /// had), or it failed (they stay).
    mutating func end(at position: Int, status: String, finished: Bool, exports: [ExportedVariable], unset: [String]) {
        var step = stored[position]
        step.state = finished ? .completed : .failed
        let code = statuses.code(status)
        step.status = code ?? 0
        let extra = step.extra
        step.extra = .of(
            status: code == nil ? status : nil, codeSHA256: extra?.codeSHA256, attempts: extra?.attempts,
            exports: finished ? exports : extra?.exports ?? [], unset: finished ? unset : extra?.unset ?? [])
        stored[position] = step
    }

    /// A skip chosen after a failure ends the step.
    mutating func skipIfFailed(at position: Int) {
        guard stored[position].state == .failed else { return }
        let record = record(at: position)
        end(at: position, status: "skipped", finished: true, exports: record.exports, unset: record.unset)
    }

    /// A `matched` decision: the step at `position` is the one at `old`, which finished; it takes
    /// its state, code hash and variables (its attempts stay its own).
    mutating func take(from old: Int, at position: Int) {
        let from = stored[old]
        guard from.state == .completed else { return }
        var step = stored[position]
        step.state = from.state
        step.status = from.status
        step.digest = from.digest
        let attempts = step.extra?.attempts
        step.extra = .of(
            status: from.extra?.status, codeSHA256: from.extra?.codeSHA256, attempts: attempts, exports: from.extra?.exports ?? [],
            unset: from.extra?.unset ?? [])
        stored[position] = step
    }

    // MARK: Finding a key

    /// The position of the step `key`, if the journal named it.
    func position(of key: String) -> Int? {
        guard !slots.isEmpty else { return nil }
        let mask = slots.count - 1
        var slot = key.hashValue & mask
        while slots[slot] != 0 {
            let position = Int(slots[slot] - 1)
            if stored[position].key == key { return position }
            slot = (slot + 1) & mask
        }
        return nil
    }

    /// The position of the step `key`, added (not started) when it is new.
    mutating func position(adding key: String) -> Int {
        if let position = position(of: key) { return position }
        if slots.count < Self.slotCount(for: stored.count + 1) { rehash(Self.slotCount(for: stored.count + 1)) }
        stored.append(Stored(key: key))
        insert(position: stored.count - 1)
        return stored.count - 1
    }

    /// Slots for `steps` keys: a power of two at most three quarters full.
    private static func slotCount(for steps: Int) -> Int {
        var count = 16
        while count * 3 < steps * 4 { count *= 2 }
        return count
    }

    private mutating func rehash(_ count: Int) {
        slots = Array(repeating: 0, count: count)
        for position in stored.indices { insert(position: position) }
    }

    private mutating func insert(position: Int) {
        let mask = slots.count - 1
        var slot = stored[position].key.hashValue & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = UInt32(position + 1)
    }
}
