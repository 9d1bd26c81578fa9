/// How many steps a runbook's body will make, counted from its lines before cmark reads them, so
/// the steps array is made at its size once. Grown by doubling instead, a runbook of 30,000 steps
/// held the old and the new array together (13 MiB, where the steps take 8) at the run's peak.
///
/// The count is of lines that open a fence in a runnable language and lines that start a task
/// item, after any indentation, quote markers and list marker. It can be a little over (a fence
/// shown inside another block, a `{rehearse-for=…}` block, a task item that holds code): the part
/// of the array no step fills is never written, so it takes address space, not memory. It can be
/// under (a fence cmark reads differently): the array then grows as before.
enum StepCountEstimate {
    static func count(_ bytes: ArraySlice<UInt8>) -> Int {
        var count = 0
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let end = bytes[index...].firstIndex(of: 0x0A) ?? bytes.endIndex
            if startsStep(bytes[index..<end]) { count += 1 }
            index = end + 1
        }
        return count
    }

    /// Whether the line opens a fence in a runnable language or starts a task item.
    private static func startsStep(_ line: ArraySlice<UInt8>) -> Bool {
        var rest = line.drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x3E }  // spaces, tabs, '>'
        if let afterMarker = droppingListMarker(rest) {
            if isTaskBox(afterMarker) { return true }
            rest = afterMarker
        }
        return opensRunnableFence(rest)
    }

    /// The line after `-`, `*`, `+`, `1.` or `1)` and the spaces after it; nil when it has none.
    private static func droppingListMarker(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        var rest = line
        if let first = rest.first, first == 0x2D || first == 0x2A || first == 0x2B {
            rest = rest.dropFirst()
        } else {
            let digits = rest.prefix { $0 >= 0x30 && $0 <= 0x39 }
            guard !digits.isEmpty, digits.count <= 9 else { return nil }
            rest = rest.dropFirst(digits.count)
            guard let mark = rest.first, mark == 0x2E || mark == 0x29 else { return nil }
            rest = rest.dropFirst()
        }
        guard let space = rest.first, space == 0x20 || space == 0x09 else { return nil }
        return rest.drop { $0 == 0x20 || $0 == 0x09 }
    }

    /// `[ ]`, `[x]` or `[X]` followed by a space, a tab or the line's end.
    private static func isTaskBox(_ text: ArraySlice<UInt8>) -> Bool {
        let box = Array(text.prefix(4))
        guard box.count >= 3, box[0] == 0x5B, box[2] == 0x5D, box[1] == 0x20 || box[1] == 0x78 || box[1] == 0x58 else { return false }
        return box.count == 3 || box[3] == 0x20 || box[3] == 0x09 || box[3] == 0x0D
    }

    /// Three or more backticks or tildes, then a language the engine runs.
    private static func opensRunnableFence(_ text: ArraySlice<UInt8>) -> Bool {
        guard let mark = text.first, mark == 0x60 || mark == 0x7E else { return false }
        let run = text.prefix { $0 == mark }
        guard run.count >= 3 else { return false }
        let word = text.dropFirst(run.count).drop { $0 == 0x20 || $0 == 0x09 }
            .prefix { $0 != 0x20 && $0 != 0x09 && $0 != 0x7B && $0 != 0x0D && $0 != 0x60 }
        guard !word.isEmpty, word.count <= 32, let language = String(validating: word, as: UTF8.self) else { return false }
        return StepLanguages.interpreters[language.lowercased()] != nil
    }
}
