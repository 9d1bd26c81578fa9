/// A value that `init()` makes as most instances keep it.
protocol BoxDefault: Sendable, Hashable {
    init()
}

/// A value few instances change from its default, behind one reference copied on write, and no
/// reference at all while it equals `Boxed()`: 8 bytes where the value would be inline in every
/// instance. Equal and hashed by value.
struct DefaultBox<Boxed: BoxDefault>: Sendable, Hashable {
    private final class Storage: @unchecked Sendable {
        // Mutated only through `DefaultBox.value`'s setter, after `isKnownUniquelyReferenced`.
        var value: Boxed
        init(_ value: Boxed) { self.value = value }
    }

    private var storage: Storage?

    /// Whether a value other than the default holds a reference.
    var isBoxed: Bool { storage != nil }

    var value: Boxed {
        get { storage?.value ?? Boxed() }
        set {
            if newValue == Boxed() {
                storage = nil
            } else if isKnownUniquelyReferenced(&storage) {
                storage?.value = newValue
            } else {
                storage = Storage(newValue)
            }
        }
    }

    static func == (a: Self, b: Self) -> Bool { a.value == b.value }
    func hash(into hasher: inout Hasher) { hasher.combine(value) }
}
