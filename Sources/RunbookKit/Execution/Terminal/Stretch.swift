/// How a long run's screen folds lines in a row that are alike (steps that finished alike, not
/// reached, gone past): as one line naming the first and the last and how many.
enum Folding {
    /// The fewest alike in a row that are shown as one line.
    static let minimum = 4
}

/// Lines in a row that are alike (`Folding`). Only the first few (shown one by one when the
/// stretch is too short to fold) and the last are kept: a stretch of 100,000 steps holds five.
struct Stretch<Item> {
    /// The first items, as many as are shown one by one.
    private(set) var first: [Item] = []
    private(set) var last: Item?
    private(set) var count = 0

    /// Whether the stretch is shown as one line.
    var folds: Bool { count >= Folding.minimum }

    mutating func append(_ item: Item) {
        if first.count < Folding.minimum { first.append(item) }
        last = item
        count += 1
    }

    mutating func removeAll() { self = Stretch() }
}
