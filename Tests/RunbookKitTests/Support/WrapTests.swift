import Testing

@testable import RunbookKit

@Suite("text broken between words")
struct WrapTests {
    @Test("lines are as full as the words allow; a word wider than a line stands alone, whole")
    func ranges() {
        #expect(wrapRanges([3, 3, 3], width: 7) == [0..<2, 2..<3])
        #expect(wrapRanges([2, 10, 2], width: 5) == [0..<1, 1..<2, 2..<3])
        #expect(wrapRanges([], width: 5) == [0..<0])
        // The first line's start and the others' indent take their room.
        #expect(wrapRanges([2, 2, 2], width: 6, first: 4, indent: 1) == [0..<1, 1..<3])
        #expect(wrapWords(["ab", "cd", "ef"], width: 6, first: "xxxx", indent: " ") == ["xxxxab", " cd ef"])
    }

    @Test("an error breaks between words with its later lines indented; a quoted command stays whole, an apostrophe quotes nothing")
    func messages() {
        #expect(
            quotedWords("start one with 'runbook run x.md'; the step's folder (or 'runbook show a')")
                == ["start", "one", "with", "'runbook run x.md';", "the", "step's", "folder", "(or", "'runbook show a')"])
        #expect(quotedWords("a 'b c") == ["a", "'b", "c"], "a quote that never closes joins nothing")
        #expect(quotedWords("runbooks' keys 'x' y") == ["runbooks'", "keys", "'x'", "y"])
        #expect(
            messageLines("runbook: error: ", "no run; start one with 'runbook run x.md'", width: nil)
                == "runbook: error: no run; start one with 'runbook run x.md'\n")
        #expect(
            messageLines("runbook: error: ", "no unfinished run; start one with 'runbook run /srv/runbooks/rollback.md'", width: 40)
                == "runbook: error: no unfinished run; start\n  one with\n  'runbook run /srv/runbooks/rollback.md'\n")
        #expect(messageLines("runbook: error: ", "two problems:\nthe first\nthe second", width: 40) == "runbook: error: two problems:\nthe first\nthe second\n")
    }

    @Test("steps gone past alike fold from four on, naming the first and last; fewer keep a line each")
    func passedOver() throws {
        let runbook = RunbookParser.parse(
            bytes: Array(("# T\n\n" + (1...6).map { "```bash {id=k\($0)}\ntrue\n```\n" }.joined(separator: "\n")).utf8), path: "t.md")
        let steps = runbook.steps
        let alike = "ok earlier in this run"
        var three = PassedOver(steps[0], mark: "✔", alike)
        var taken = [three.extend(steps[1], mark: "✔", alike), three.extend(steps[2], mark: "✔", alike)]
        #expect(taken == [true, true])
        taken = [three.extend(steps[3], mark: "↷", "skipped earlier in this run"), three.extend(steps[4], mark: "✔", alike)]
        #expect(taken == [false, false], "another outcome, or a gap, starts another stretch")
        #expect(three.lines(total: 6) == ["✔ step 1/6 [k1] \(alike)", "✔ step 2/6 [k2] \(alike)", "✔ step 3/6 [k3] \(alike)"])
        var five = three
        taken = steps[3...4].map { five.extend($0, mark: "✔", alike) }
        #expect(taken == [true, true])
        #expect(five.lines(total: 6) == ["✔ steps 1–5/6 [k1 … k5] ok earlier in this run (5 steps)"])
    }
}
