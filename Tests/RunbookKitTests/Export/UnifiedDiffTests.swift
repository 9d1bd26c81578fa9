import Foundation
import Testing

@testable import RunbookKit

@Suite("Unified diff")
struct UnifiedDiffTests {
    static func lines(_ text: String) -> [[UInt8]] { text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0.utf8) } }

    @Test("nothing changed is an empty diff")
    func empty() {
        #expect(UnifiedDiff.render(old: Self.lines("a\nb"), changes: [], oldName: "x", newName: "y").isEmpty)
        let same = LineChange(oldStart: 1, oldCount: 1, newLines: [Array("b".utf8)])
        #expect(UnifiedDiff.render(old: Self.lines("a\nb"), changes: [same], oldName: "x", newName: "y").isEmpty)
    }

    @Test("changes far apart are separate hunks whose new line numbers count the lines added before")
    func hunks() {
        let old = Self.lines((1...20).map { "l\($0)" }.joined(separator: "\n"))
        let changes = [
            LineChange(oldStart: 0, oldCount: 0, newLines: [Array("new0".utf8), Array("new1".utf8)]),
            LineChange(oldStart: 14, oldCount: 1, newLines: [Array("L15".utf8)]),
        ]
        let diff = UnifiedDiff.render(old: old, changes: changes, oldName: "a", newName: "b")
        #expect(
            diff
                == "--- a\n+++ b\n@@ -1,3 +1,5 @@\n+new0\n+new1\n l1\n l2\n l3\n@@ -12,7 +14,7 @@\n l12\n l13\n l14\n-l15\n+L15\n l16\n l17\n l18\n")
    }

    @Test("a last line without a line end is marked on both sides")
    func noNewline() {
        let diff = UnifiedDiff.render(
            old: Self.lines("a\nb"), changes: [LineChange(oldStart: 1, oldCount: 1, newLines: [Array("B".utf8)])], oldName: "a", newName: "b",
            oldMissingFinalNewline: true)
        #expect(diff == "--- a\n+++ b\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+B\n\\ No newline at end of file\n")
    }

    @Test("lines keep their own ends; new lines take the first line's")
    func editableLines() {
        let text = EditableLines(Array("a\r\nb\nc".utf8))
        #expect(text.lines.map { String(decoding: $0, as: UTF8.self) } == ["a", "b", "c"])
        #expect(text.ends == [[0x0D, 0x0A], [0x0A], []])
        #expect(text.newLineEnd == [0x0D, 0x0A])
        #expect(text.bytes == Array("a\r\nb\nc".utf8))
    }
}
