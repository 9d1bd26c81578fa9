extension String {
    /// The string without leading and trailing spaces, tabs and newlines.
    func trimmingSpaces() -> String {
        let utf8 = self.utf8
        var start = utf8.startIndex
        var end = utf8.endIndex
        while start < end && isSpaceByte(utf8[start]) { start = utf8.index(after: start) }
        while end > start && isSpaceByte(utf8[utf8.index(before: end)]) { end = utf8.index(before: end) }
        return String(self[start..<end])
    }
}

/// Space, tab, LF or CR: what `trimmingSpaces` removes.
func isSpaceByte(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

/// `text` as one shell word: unchanged when it is made of safe characters, else in single quotes.
func shellQuoted(_ text: String) -> String {
    let safe = !text.isEmpty && text.allSatisfy { $0.isLetter || $0.isNumber || "/._-+:=@%,".contains($0) }
    return safe ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
}

extension String {
    /// The string with spaces added to `width` characters (never cut).
    func padded(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}

/// "1 byte", "3 bytes".
func byteCount(_ count: Int) -> String { count == 1 ? "1 byte" : "\(count) bytes" }

/// `words` joined by spaces in lines of at most `width` characters where the words allow it (a
/// word longer than a line stands alone on its line, never cut); the first line starts with
/// `first`, the others with `indent`.
func wrapWords(_ words: [String], width: Int, first: String = "", indent: String = "") -> [String] {
    wrapRanges(words.map(\.count), width: width, first: first.count, indent: indent.count).enumerated().map { line, range in
        (line == 0 ? first : indent) + words[range].joined(separator: " ")
    }
}

/// The words of each line (`wrapWords`), given each word's width and the widths of the first
/// line's start and the other lines' indent: one range of word indices a line, at least one line.
func wrapRanges(_ widths: [Int], width: Int, first: Int = 0, indent: Int = 0) -> [Range<Int>] {
    var lines: [Range<Int>] = []
    var start = 0
    var used = first
    for (index, word) in widths.enumerated() {
        if index > start && used + 1 + word > width {
            lines.append(start..<index)
            start = index
            used = indent
        }
        used += (index > start ? 1 : 0) + word
    }
    lines.append(start..<widths.count)
    return lines
}

/// `label` and `text` in lines of at most `width` characters, broken between words, the lines a
/// break makes indented two spaces, with a newline at the end (a line of `text` of its own stays
/// one). A quoted stretch ('runbook resume X') is kept whole, so a command to copy never spans
/// two lines: one wider than a line stands alone and the terminal wraps it. Without a width (not
/// a terminal), as it is.
public func messageLines(_ label: String, _ text: String, width: Int?) -> String {
    guard let width, width >= 20 else { return label + text + "\n" }
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().flatMap { number, line in
        wrapWords(quotedWords(String(line)), width: width, first: number == 0 ? label : "", indent: "  ")
    }
    return lines.joined(separator: "\n") + "\n"
}

/// The words of `text`, a stretch from a word that opens a quote ('…, or ('…) to the word that
/// closes it (…', …'), …';) taken as one; an apostrophe inside a word (step's) opens nothing, and
/// a quote that never closes leaves its words as they are.
func quotedWords(_ text: String) -> [String] {
    let words = text.split(separator: " ", omittingEmptySubsequences: false)
    func opens(_ word: Substring) -> Bool { word.drop { $0 == "(" }.first == "'" }
    func closes(_ word: Substring) -> Bool { word.reversed().drop { ".,;:)!?".contains($0) }.first == "'" }
    var out: [String] = []
    var index = 0
    while index < words.count {
        let word = words[index]
        // A quote that closes in its own word ('x') is a word like any other.
        let quotesItself = closes(word) && word.drop { $0 == "(" }.count > 1
        if opens(word), !quotesItself, let end = words[(index + 1)...].firstIndex(where: closes) {
            out.append(words[index...end].joined(separator: " "))
            index = end + 1
        } else {
            out.append(String(word))
            index += 1
        }
    }
    return out
}

extension Array {
    /// The same elements in storage that holds just them: an array that grew by doubling may hold
    /// room for twice as many, which a table kept for a whole export should not.
    func trimmed() -> [Element] { capacity > count ? withUnsafeBufferPointer { Array($0) } : self }
}
