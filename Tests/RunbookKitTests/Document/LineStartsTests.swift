import Testing

@testable import RunbookKit

/// The file's line index keeps every 4th line's start and finds the others (docs/benchmarks.md).
@Suite("Line starts")
struct LineStartsTests {
    /// Line `n`'s text and the line count as a plain split of the normalised text gives them.
    private func expectLines(_ text: String, _ normalised: String, sourceLocation: SourceLocation = #_sourceLocation) {
        var sink = DiagnosticSink(path: "t.md")
        let source = SourceText(raw: Array(text.utf8), sink: &sink)
        var lines = normalised.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // A final LF ends the last line; an empty file has none.
        if normalised.hasSuffix("\n") || normalised.isEmpty { lines.removeLast() }
        #expect(source.lineCount == lines.count, sourceLocation: sourceLocation)
        for (index, line) in lines.enumerated() {
            #expect(String(decoding: source.line(index + 1), as: UTF8.self) == line, "line \(index + 1)", sourceLocation: sourceLocation)
        }
        #expect(source.line(lines.count + 2).isEmpty, "past the end: nothing", sourceLocation: sourceLocation)
        #expect(source.line(0).isEmpty, sourceLocation: sourceLocation)
    }

    @Test("every line reads back across the kept ones, with and without a final newline, empty lines included")
    func everyLine() {
        for count in [1, 3, 4, 5, 15, 16, 17, 33, 100] {
            let body = (1...count).map { $0 % 5 == 0 ? "" : "line \($0) é" }.joined(separator: "\n")
            expectLines(body, body)
            expectLines(body + "\n", body + "\n")
        }
        expectLines("", "")
        expectLines("\n\n\n", "\n\n\n")
    }

    @Test("a file normalised (CRLF, a BOM) has its lines where the normalised bytes put them")
    func normalised() {
        let lines = (1...40).map { "row \($0)" }
        expectLines("\u{FEFF}" + lines.joined(separator: "\r\n") + "\r\n", lines.joined(separator: "\n") + "\n")
    }
}
