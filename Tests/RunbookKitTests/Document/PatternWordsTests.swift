import Testing

@testable import RunbookKit

@Suite("a param's pattern in words")
struct PatternWordsTests {
    @Test(
        "the shapes runbooks use read as words",
        arguments: [
            ("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}", "a letter, digit or _, then up to 127 letters, digits, _, . or -"),
            ("v[0-9]+\\.[0-9]+\\.[0-9]+", "'v', then one or more digits, then '.', then one or more digits, then '.', then one or more digits"),
            ("[a-z0-9][a-z0-9-]*", "a lower-case letter or digit, then any number of lower-case letters, digits or -"),
            ("INC-[0-9]{4,6}", "'INC-', then 4 to 6 digits"),
            ("\\d{3}", "exactly 3 digits"),
            ("[A-Z]{2}-?\\d+", "exactly 2 capital letters, then optionally '-', then one or more digits"),
        ])
    func words(pattern: String, expected: String) {
        #expect(PatternWords.describe(pattern) == expected)
    }

    @Test("anything else is left as the pattern itself", arguments: ["(a|b)+", "[^x]+", "^abc$", "a.b", "[0-9]+ (min|minutes)", "\\w+"])
    func notDescribed(pattern: String) {
        #expect(PatternWords.describe(pattern) == nil)
    }
}
