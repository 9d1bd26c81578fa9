import Foundation
import Testing

@testable import RunbookKit

/// A property of `adopt` over many generated wiki runbooks: it changes nothing outside steps and front
/// matter, byte for byte, its output has no errors, and adopting that output again changes nothing.
@Suite("Adopt property")
struct AdoptPropertyTests {
    /// SplitMix64: a small seeded generator, so a failure names the document that shows it.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }
        mutating func chance(_ percent: UInt64) -> Bool { next() % 100 < percent }
    }

    static let frontMatters = [
        "", "---\ntitle: Wiki page\nweight: 10\nbookHidden: true\n---\n", "---\ntitle: Ours\nparams:\n  OLD:\n    default: x\n---\n",
        "---\naliases: [/a]\nrunbook:\n  timeout: 5m\n---\n", "---\n---\n",
    ]
    static let prose = [
        "Some prose with a `$ ls` span and <namespace> in it.", "$ not a command, just text", "> a quote with <pod-name>",
        "- a list item with YOUR_TOKEN_HERE", "1. numbered", "    indented code <x>", "Trailing spaces   ", "| a | b |\n|---|---|",
        "<div>html <b>bold</b></div>", "",
    ]
    static let blocks = [
        "```bash\nkubectl get pods -n <namespace>\n```", "```shell\n$ kubectl -n <ns> get pods\n$ echo done\n```",
        "```sh\n$ uptime\n 10:00 up 3 days\n```", "```bash\napiVersion: v1\nkind: Pod\n```", "```bash {timeout=1m}\necho \"$CLUSTER\"\n```",
        "```python\nprint('<x>')\n```", "```console\n$ ls <dir>\n```", "```bash\n# only a comment\n```", "```yaml\nkey: <value>\n```",
        "- [ ] Do the thing", "- [x] Done already {skip}", "```bash\nNODE='<value of node label>'\nssh \"$NODE\" uptime\n```",
        "```bash\n$ cat <<EOF\n> a: <b>\n> EOF\n```", "~~~sh\n$ echo tilde\n~~~", "  ```bash\n  $ indented <thing>\n  ```",
    ]

    static func document(seed: UInt64) -> String {
        var g = Generator(state: seed)
        var out = g.pick(frontMatters)
        if g.chance(70) { out += "# \(g.pick(["Title", "Pod stuck", "Ünïcode heading", "Step 2: go"]))\n\n" }
        for _ in 0..<(2 + Int(g.next() % 8)) {
            if g.chance(25) { out += "## \(g.pick(["Check", "Fix", "Verify", "Check"]))\n\n" }
            out += (g.chance(50) ? g.pick(blocks) : g.pick(prose)) + "\n\n"
        }
        if g.chance(30) { out = out.replacingOccurrences(of: "\n", with: "\r\n") }
        if g.chance(20) { out.removeLast() }
        return out
    }

    /// Whether 1-based `line` of `runbook` is in a step or in the front matter.
    static func editable(_ line: Int, in runbook: Runbook) -> Bool {
        if line <= runbook.layout.frontMatter.closingLine { return true }
        return runbook.steps.contains { line >= $0.line && line <= $0.endLine }
    }

    @Test("adopt changes nothing outside steps and front matter", arguments: 0..<300)
    func property(seed: Int) throws {
        let text = Self.document(seed: UInt64(seed))
        let before = parse(text, path: "gen.md")
        guard !before.hasErrors else { return }
        let result = AdoptRewrite.adopt(before)
        let after = parse(bytes: result.adopted, path: "gen.md")
        #expect(!after.hasErrors, "seed \(seed): \(after.errors.map(\.rendered))\n\(text)")
        let old = EditableLines(result.original)
        let new = EditableLines(result.adopted)
        #expect(old.bom == new.bom)
        // The front matter may grow; everything after it keeps its place.
        let oldBodyStart = before.layout.frontMatter.closingLine
        let newBodyStart = after.layout.frontMatter.closingLine
        try #require(old.lines.count - oldBodyStart == new.lines.count - newBodyStart, "seed \(seed): lines outside the front matter were added or removed")
        for i in oldBodyStart..<old.lines.count {
            let j = i - oldBodyStart + newBodyStart
            #expect(old.ends[i] == new.ends[j], "seed \(seed): line end of line \(i + 1) changed")
            if !Self.editable(i + 1, in: before) {
                #expect(old.lines[i] == new.lines[j], "seed \(seed): line \(i + 1) is outside steps and front matter but changed\n\(text)")
            }
        }
        let again = AdoptRewrite.adopt(after)
        #expect(!again.changed, "seed \(seed): adopting the adopted file changed it again:\n\(again.diff(from: "a", to: "b"))")
    }
}
