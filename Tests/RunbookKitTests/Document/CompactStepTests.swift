import Foundation
import Testing

@testable import RunbookKit

/// The parsed step's compact storage (docs/benchmarks.md, issue 12): what is packed must read back
/// as written, and the steps array is made at its size once.
@Suite("Compact steps")
struct CompactStepTests {
    private func estimate(_ text: String) -> Int { StepCountEstimate.count(ArraySlice(text.utf8)) }

    @Test("the estimate counts fences in runnable languages and task items, where cmark makes steps")
    func estimateCounts() {
        let text = """
            # Deploy

            ```bash {id=a}
            echo a
            ```

            ~~~python
            print(1)
            ~~~

            ````sh
            echo four backticks
            ````

            > ```bash
            > echo quoted
            > ```

            1. ```zsh
               echo in a list
               ```
            - [ ] tick the box
            - [x] already done
            * [X] star item
            2) [ ] ordered with a paren

              ```BASH
              echo indented and upper case
              ```

            """
        #expect(estimate(text) == 10)
        #expect(parse(text).steps.count == 10, "the estimate matches what the parser makes for this text")
    }

    @Test(
        "lines that make no step are not counted",
        arguments: [
            "```yaml\nkey: 1\n```\n",
            "```\nno language\n```\n",
            "```py\nan alias, not a step\n```\n",
            "``bash\ntwo backticks\n``\n",
            "- [] no space in the box\n",
            "- [y] not a task\n",
            "-[ ] no space after the marker\n",
            "[ ] a box with no list marker\n",
            "1234567890. [ ] ten digits are no list marker\n",
            "- [ ]x no gap after the box\n",
            "text ```bash not at the line's start\n",
        ]
    )
    func estimateSkips(text: String) {
        #expect(estimate(text) == 0, "\(text)")
        #expect(parse(text).steps.isEmpty, "\(text)")
    }

    @Test("the estimate reads CRLF lines and a last line without a newline")
    func estimateLineEnds() {
        #expect(estimate("- [ ]\r\n```bash\r\necho\r\n```\r\n- [x] last") == 3)
        #expect(estimate("") == 0)
    }

    @Test("the estimate matches every shipped runbook's steps")
    func estimateShippedRunbooks() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("runbooks")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".md") }.sorted()
        try #require(names.count >= 5, "runbooks/ holds the shipped runbooks")
        for name in names {
            let path = folder.appendingPathComponent(name).path
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            let steps = try RunbookParser.parse(path: path).steps.count
            let counted = StepCountEstimate.count(ArraySlice(bytes))
            // Over by at most the rehearse-for blocks and code in task items; never wildly off.
            #expect(counted >= steps && counted <= steps + steps / 4 + 2, "\(name): estimate \(counted), steps \(steps)")
        }
    }

    @Test("newlines counted eight bytes at a time match a count one byte at a time, at every length and alignment")
    func newlineCount() {
        let bytes: [UInt8] = Array("a\n\nbc\u{E9}\n\n\n12345678\n\u{0}\n\u{7F}\u{80}x\n\n".utf8)
        for start in 0..<bytes.count {
            for end in start...bytes.count {
                let slice = Array(bytes[start..<end])
                let fast = slice.withUnsafeBufferPointer { ByteWords.count(of: 0x0A, in: $0) }
                #expect(fast == slice.filter { $0 == 0x0A }.count, "bytes \(start)..<\(end)")
            }
        }
    }

    @Test("the steps array is made at its size, not grown by doubling")
    func stepsReservedOnce() {
        let count = 5000
        var text = "# Many\n\n"
        for n in 1...count { text += "```bash {id=s\(n)}\necho \(n)\n```\n\n" }
        let steps = parse(text).steps
        #expect(steps.count == count)
        // Doubling from empty ends at 8,192 for 5,000 steps.
        #expect(steps.capacity < count + count / 10, "capacity \(steps.capacity)")
    }

    @Test("a lone id reads back as written, and show's view of it is the same")
    func loneID() throws {
        let runbook = parse("```bash {id=migrate}\necho\n```\n\n```bash {id=b timeout=5s}\necho\n```\n")
        let lone = runbook.steps[0].attributes
        #expect(lone.id == "migrate")
        #expect(lone.written == [WrittenAttribute(key: "id", value: "migrate", column: 10)])
        let two = runbook.steps[1].attributes
        #expect(two.written.map(\.key) == ["id", "timeout"])
        #expect(two.written.map(\.value) == ["b", "5s"])
    }

    @Test("changing a compact id keeps what was written; equal attributes compare equal however they were made")
    func loneIDChanges() {
        var attrs = StepAttributes()
        attrs.id = "old"
        attrs.written = [WrittenAttribute(key: "id", value: "old", column: 10)]
        attrs.id = "new"
        #expect(attrs.id == "new")
        #expect(attrs.written == [WrittenAttribute(key: "id", value: "old", column: 10)], "written says what the file said")

        // Made in the other order: written first, then an id that matches it.
        var other = StepAttributes()
        other.written = [WrittenAttribute(key: "id", value: "same", column: 4)]
        other.id = "same"
        var direct = StepAttributes()
        direct.id = "same"
        direct.written = [WrittenAttribute(key: "id", value: "same", column: 4)]
        #expect(other == direct)
        #expect(other.hashValue == direct.hashValue)
        #expect(other.written == direct.written)

        // Back to the value written: still the same attributes as a fresh parse.
        attrs.id = "old"
        var fresh = StepAttributes()
        fresh.id = "old"
        fresh.written = [WrittenAttribute(key: "id", value: "old", column: 10)]
        #expect(attrs == fresh)

        var cleared = fresh
        cleared.written = []
        #expect(cleared.written.isEmpty && cleared.id == "old")
        cleared.retries = 1_000_000_000_000
        #expect(cleared.retries == 255, "retries past 8 bits clamp, never trap (the parser takes at most 100)")
        cleared.retries = 100
        cleared.confirm = true
        cleared.idempotent = true
        #expect(cleared.retries == 100 && cleared.confirm && cleared.idempotent && !cleared.skip && !cleared.interactive)
        cleared.confirm = false
        #expect(!cleared.confirm && cleared.idempotent, "a flag cleared leaves the others")
    }

    @Test("prose and code are read where they stand in the file, except code cmark took indentation from")
    func textsShareTheFile() throws {
        let text = """
            # Deploy

            Check the dashboard first.
            Then tell the channel.

            ```bash {id=a}
            echo "step a and a long line"
            ```

            More prose, with **bold**.

            ```bash {id=b}
            echo "step b and a long line"
            ```

            1. In a list:
               ```bash {id=c}
               echo "indented, so cmark strips three spaces"
               ```

            """
        let steps = parse(text).steps
        try #require(steps.count == 3)
        #expect(steps[0].prose == "Check the dashboard first.\nThen tell the channel.")
        #expect(steps[0].code == "echo \"step a and a long line\"\n")
        #expect(steps[1].prose == "More prose, with **bold**.")
        #expect(steps[2].code == "echo \"indented, so cmark strips three spaces\"\n")
        let a = try #require(steps[0].codeText)
        let b = try #require(steps[1].codeText)
        let c = try #require(steps[2].codeText)
        #expect(a.sharesBytes(with: b) && a.sharesBytes(with: steps[0].proseText), "top-level code and prose are stretches of the file")
        #expect(!c.sharesBytes(with: a), "the indented block's literal is not the file's bytes: it has its own")
        #expect(steps[0].codeSHA256 == SHA256.hex("echo \"step a and a long line\"\n"))
    }

    @Test("a passage is a stretch of the file too, written and read back as text")
    func passagesShareTheFile() throws {
        let runbook = parse("# Deploy\n\nRead this first.\nAll of it.\n\n## Build\n\n```bash {id=a}\ntrue\n```\n\nAfter the last step: tell the channel.\n")
        try #require(runbook.passages.count == 2 && runbook.steps.count == 1)
        #expect(runbook.passages.map(\.text) == ["Read this first.\nAll of it.", "After the last step: tell the channel."])
        let code = try #require(runbook.steps[0].codeText)
        #expect(runbook.passages.allSatisfy { $0.textBytes.sharesBytes(with: code) }, "no copy of the prose")
        let json = try JSONEncoder().encode(runbook.passages[1])
        let back = try JSONDecoder().decode(Passage.self, from: json)
        #expect(back == runbook.passages[1] && back.text == "After the last step: tell the channel.")
        var edited = back
        edited.text = "changed"
        #expect(edited.text == "changed" && edited != back)
    }

    @Test("texts compare by their bytes, wherever they are kept")
    func textEquality() {
        let text = "# T\n\nSome prose here, long enough.\n\n```bash {id=a}\necho \"a long enough line of code\"\n```\n"
        let first = parse(text).steps[0]
        let second = parse(text).steps[0]  // another parse: other bytes, the same text
        #expect(first == second)
        #expect(first.hashValue == second.hashValue)
        var edited = first
        edited.code = "echo \"a long enough line of code\"\n"  // its own copy now
        #expect(edited == first && edited.hashValue == first.hashValue)
        edited.code = "echo other\n"
        #expect(edited != first)
        edited.prose = ""
        #expect(edited.prose.isEmpty && edited.proseText == FileText(""))
        #expect(FileText("x") != FileText("y") && FileText("") == FileText(""))
    }

    @Test("a step's position reads back, no section included")
    func positionRoundTrip() {
        var step = Step(
            number: 7, key: "k", keySource: .id, kind: .code, line: 120, column: 3, endLine: 125, section: nil,
            title: "t", prose: FileText(""), language: "bash", interpreter: "bash", code: FileText("echo\n"), attributes: StepAttributes(),
            checked: nil)
        #expect(step.number == 7 && step.line == 120 && step.column == 3 && step.endLine == 125)
        #expect(step.section == nil)
        step.section = 0
        #expect(step.section == 0, "section 0 is a section, not none")
        step.section = nil
        #expect(step.section == nil)
        step.line = Int.max
        #expect(step.line == Int(Int32.max), "lines past 32 bits clamp, never trap")
    }

    @Test("a step's rare parts (name, placeholders, a rehearse-for block, a transcript's commands) read back from their boxes")
    func rareParts() throws {
        let text = """
            # Ops

            ```bash {name=restart}
            kubectl rollout restart deploy/<deployment-name>
            ```

            ```bash {id=t}
            $ echo hi
            hi
            ```

            ```bash {rehearse-for=t}
            echo rehearsed
            ```

            ```bash {id=plain}
            echo plain
            ```

            """
        let steps = parse(text).steps
        try #require(steps.count == 3)
        #expect(steps[0].attributes.name == "restart")
        #expect(steps[0].placeholders.map(\.token) == ["<deployment-name>"])
        #expect(steps[1].commands?.map(\.text) == ["echo hi"])
        #expect(steps[1].rehearsal?.code == "echo rehearsed\n")
        #expect(steps[2].attributes.name == nil && steps[2].placeholders.isEmpty && steps[2].rehearsal == nil)

        // A copy changed is its own; set back to the defaults it equals a step that never had them.
        var copy = steps[0]
        copy.placeholders = []
        copy.attributes.name = nil
        #expect(steps[0].placeholders.count == 1 && steps[0].attributes.name == "restart", "the original keeps its box")
        var bare = steps[0]
        bare.placeholders = []
        bare.attributes.name = nil
        #expect(copy == bare && copy.hashValue == bare.hashValue)
    }

    @Test("a default value holds no box; a changed one does, copied on write")
    func defaultBox() {
        var box = DefaultBox<StepAttributesProbe>()
        #expect(!box.isBoxed && box.value == StepAttributesProbe())
        box.value.text = "set"
        #expect(box.isBoxed && box.value.text == "set")
        var copy = box
        copy.value.text = "other"
        #expect(box.value.text == "set" && copy.value.text == "other", "a write to a copy does not reach the original")
        copy.value.text = nil
        #expect(!copy.isBoxed, "back to the default: the reference is dropped")
        #expect(copy == DefaultBox<StepAttributesProbe>() && copy != box)
    }

    @Test("a shared word reads back as written, equal words are equal numbers, none is nil")
    func sharedWord() {
        #expect(SharedWord("bash").string == "bash" && SharedWord(nil).string == nil)
        #expect(SharedWord("bash") == SharedWord("bash") && SharedWord("bash") != SharedWord("Bash"))
        #expect(SharedWord("") != SharedWord(nil) && SharedWord("").string == "", "an empty word is a word")
        var step = RunbookParser.parse(bytes: Array("# T\n\n```sh {id=a}\ntrue\n```\n".utf8), path: "t.md").steps[0]
        #expect(step.language == "sh" && step.interpreter == "sh")
        step.language = "zsh"
        step.interpreter = nil
        #expect(step.language == "zsh" && step.interpreter == nil)
    }

    @Test("a script's one command stands where its code does; when it does not (an empty block, an indented one) it is kept")
    func scriptSpan() {
        let text = "# T\n\n```bash {id=a}\necho a\necho b\n```\n\n- item\n\n  ```bash {id=b}\n  echo c\n  ```\n\n```bash {id=c}\n```\n"
        let steps = RunbookParser.parse(bytes: Array(text.utf8), path: "t.md").steps
        let spans = steps.map { step in step.commands.map { $0.map { [$0.line, $0.column, $0.endLine] } } }
        #expect(spans[0] == [[4, 1, 5]], "the code's lines, at the block's column")
        #expect(spans[1] == [[11, 3, 11]], "inside a list item: the item's column")
        #expect(spans[2] == [[0, 1, 0]], "no code: no lines")
    }

    @Test("a parsed step stays at most 144 bytes inline, its attributes at most 40")
    func stepSize() {
        // What each step of a long runbook costs before its strings (docs/benchmarks.md); a field
        // added inline to Step shows here first.
        #expect(MemoryLayout<Step>.size <= 144, "Step is \(MemoryLayout<Step>.size) bytes")
        #expect(MemoryLayout<StepAttributes>.size <= 40, "StepAttributes is \(MemoryLayout<StepAttributes>.size) bytes")
    }
}

/// A value for `DefaultBox`'s own test.
private struct StepAttributesProbe: BoxDefault {
    var text: String?
}
