/// A few distinct short strings (step statuses: `ok`, `failed`, `skipped`, …), each kept once and
/// named by a one-byte code, so a record kept for every step holds one byte instead of a
/// `String` (16 bytes, more when it is long).
struct StatusTable: Sendable {
    /// The strings, in the order they were first seen; code `n` names `strings[n - 1]`.
    private var strings: [String] = []

    /// The code of `text` (1…255), added if it is new; nil once 255 distinct strings are taken
    /// (the caller keeps such a string itself).
    mutating func code(_ text: String) -> UInt8? {
        if let index = strings.firstIndex(of: text) { return UInt8(index + 1) }
        guard strings.count < Int(UInt8.max) else { return nil }
        strings.append(text)
        return UInt8(strings.count)
    }

    /// The string `code` names; nil for 0 (no string).
    func string(_ code: UInt8) -> String? {
        code == 0 ? nil : strings[Int(code) - 1]
    }
}
