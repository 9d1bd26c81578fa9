import Foundation
import Testing

@testable import RunbookKit

@Suite("Steps")
struct StepTests {
    @Test("every runnable language is a code step, with its interpreter")
    func runnableLanguages() throws {
        let runbook = try Fixtures.parse("steps.md")
        let code = runbook.steps.filter { $0.kind == .code }
        let expected: [(String, String, Int)] = [
            ("bash", "bash", 5), ("sh", "sh", 9), ("zsh", "zsh", 13), ("shell", "bash", 17),
            ("python", "python3", 21), ("python3", "python3", 25), ("node", "node", 29),
            ("ruby", "ruby", 33), ("perl", "perl", 37),
        ]
        try #require(code.count >= expected.count)
        for (step, (language, interpreter, line)) in zip(code, expected) {
            #expect(step.language == language)
            #expect(step.interpreter == interpreter, "interpreter of \(language)")
            #expect(step.line == line, "line of \(language)")
            #expect(step.column == 1)
            #expect(step.endLine == line + 2)
            #expect(step.section == 0)
            #expect(step.title == "Steps")
        }
        #expect(code[0].code == "echo bash\n")
        #expect(code[8].code == "print \"perl\\n\";\n")
        #expect(code[0].codeSHA256 == SHA256.hex(Array("echo bash\n".utf8)))
        #expect(!runbook.hasErrors, "\(runbook.errors.map(\.rendered))")
    }

    @Test("steps are found in numbered lists, block quotes and task items")
    func containers() throws {
        let runbook = try Fixtures.parse("steps.md")
        let inList = try #require(runbook.steps.first { $0.code == "echo in-list\n" })
        #expect(inList.line == 45)
        #expect(inList.column == 4)
        #expect(inList.endLine == 47)
        #expect(inList.language == "bash")
        #expect(inList.section == 1)
        #expect(inList.prose == "1. Numbered item prose")

        let inQuote = try #require(runbook.steps.first { $0.code == "echo in-quote\n" })
        #expect(inQuote.line == 51)
        #expect(inQuote.column == 3)
        #expect(inQuote.endLine == 53)
        #expect(inQuote.language == "sh")
        #expect(inQuote.interpreter == "sh")
        #expect(inQuote.prose.hasPrefix("> Quoted prose"))
    }

    @Test("prose before a step is captured, blank lines trimmed")
    func prose() throws {
        let runbook = try Fixtures.parse("steps.md")
        #expect(runbook.steps[0].prose == "Intro prose for the first step.")
        // Nothing but a blank line between the bash and sh blocks.
        #expect(runbook.steps[1].prose == "")
        let text = parse(
            """
            # Title

            First paragraph.

            Second paragraph, with `code`.

            ```bash {id=one}
            true
            ```

            Between.
            ```bash {id=two}
            true
            ```
            """)
        #expect(text.steps.map(\.prose) == ["First paragraph.\n\nSecond paragraph, with `code`.", "Between."])
    }

    @Test("task items are manual steps with their checked state")
    func manualSteps() throws {
        let runbook = try Fixtures.parse("steps.md")
        let manual = runbook.steps.filter { $0.kind == .manual }
        #expect(manual.map(\.title) == ["Check the dashboards", "Page the on-call", "Capital X also counts"])
        #expect(manual.map(\.checked) == [false, true, true])
        #expect(manual.map(\.line) == [57, 58, 59])
        #expect(manual.map(\.column) == [1, 1, 1])
        #expect(manual.allSatisfy { $0.code == nil && $0.language == nil && $0.interpreter == nil })
        #expect(manual[0].key == "dashboards")
        #expect(manual[0].keySource == .id)
        #expect(manual[0].attributes.id == "dashboards")
        #expect(manual[1].keySource == .ordinal)
    }

    @Test("a task item holding a runnable fence is not a manual step; its text titles the code step")
    func taskWithCode() throws {
        let runbook = try Fixtures.parse("steps.md")
        #expect(!runbook.steps.contains { $0.kind == .manual && $0.title == "Restart the worker" })
        let step = try #require(runbook.steps.first { $0.code == "systemctl restart worker\n" })
        #expect(step.kind == .code)
        #expect(step.title == "Restart the worker")
        #expect(step.line == 61)
        #expect(step.column == 3)
        #expect(step.checked == nil)
    }

    @Test("a task item holding only a reference block stays a manual step")
    func taskWithReference() {
        let runbook = parse(
            """
            # T

            - [ ] Look at the output {id=look}
              ```console
              $ uptime
              ```
            """)
        #expect(runbook.steps.count == 1)
        #expect(runbook.steps.first?.kind == .manual)
        #expect(runbook.steps.first?.key == "look")
        #expect(runbook.references.map(\.language) == ["console"])
    }

    @Test("reference blocks are never steps")
    func references() throws {
        let runbook = try Fixtures.parse("steps.md")
        let summary = runbook.references.map { "\($0.language)|\($0.form)|\($0.line)" }
        #expect(
            summary == [
                "console|fenced|67",
                "text|fenced|71",
                "yaml|fenced|75",
                "|fenced|79",
                "|indented|83",
                "|indented|87",
            ])
        #expect(runbook.references.filter { $0.form == "fenced" }.map(\.endLine) == [69, 73, 77, 81])
        #expect(runbook.references.last?.endLine == 89)
        #expect(runbook.references.allSatisfy { $0.section == 3 })
        #expect(runbook.steps.count == 9 + 2 + 3 + 1)
        #expect(!runbook.steps.contains { $0.line >= 65 })
        // The indented block that looks like a fence is not an unclosed or runnable fence.
        expectNone(runbook, "unclosed-fence")
    }

    @Test("'shell' blocks use the front matter's shell")
    func shellFromFrontMatter() {
        let zsh = parse(
            """
            ---
            shell: zsh
            ---
            # T

            ```shell {id=a}
            echo $0
            ```
            """)
        #expect(zsh.defaults.shell == "zsh")
        #expect(zsh.steps.first?.interpreter == "zsh")
        #expect(zsh.steps.first?.line == 6)

        let path = parse("---\nshell: /usr/local/bin/bash\n---\n```shell {id=a}\ntrue\n```\n")
        #expect(path.steps.first?.interpreter == "/usr/local/bin/bash")

        let plain = parse("```shell {id=a}\ntrue\n```\n")
        #expect(plain.steps.first?.interpreter == "bash")

        let bad = parse("---\nshell: fish\n---\n```shell {id=a}\ntrue\n```\n")
        expectDiagnostic(bad, line: 2, column: 1, .error, "bad-front-matter-value", ["'shell'", "fish"])
        #expect(bad.steps.first?.interpreter == "bash")
    }

    @Test("sections: heading paths and levels, title from the first H1")
    func sections() throws {
        let runbook = try Fixtures.parse("steps.md")
        #expect(runbook.title == "Steps")
        #expect(runbook.sections.map(\.path) == ["steps", "steps/containers", "steps/manual", "steps/references"])
        #expect(runbook.sections.map(\.level) == [1, 2, 2, 2])
        #expect(runbook.sections.map(\.line) == [1, 41, 55, 65])
        #expect(runbook.sections.map(\.index) == [0, 1, 2, 3])
        #expect(runbook.steps.map(\.number) == Array(1...runbook.steps.count))
    }

    @Test("empty code step and empty task are warned about")
    func emptySteps() {
        let runbook = parse("# T\n\n```bash {id=e}\n```\n\n- [ ] {id=t}\n")
        expectDiagnostic(runbook, line: 3, column: 1, .warning, "empty-step", ["empty"])
        expectDiagnostic(runbook, line: 6, column: 1, .warning, "empty-task", ["no text"])
        #expect(runbook.steps.last?.title == "(empty task)")
    }

    @Test("a runbook without steps gets a warning")
    func noSteps() {
        let runbook = parse("# Nothing\n\n```console\n$ ls\n```\n")
        expectDiagnostic(runbook, line: 1, column: 1, .warning, "no-steps", ["no steps", "- [ ]"])
        #expect(runbook.diagnostics.count == 1)
        let withStep = parse("- [ ] do it {id=x}\n")
        expectNone(withStep, "no-steps")
    }

    @Test("a manual step's written attributes carry their column in the file")
    func manualWrittenColumn() throws {
        let line = "- [ ] Confirm drained {id=drained}"
        let runbook = parse("# Ops\n\n" + line + "\n")
        let written = try #require(runbook.steps.first?.attributes.written.first)
        #expect(written.key == "id")
        #expect(written.value == "drained")
        #expect(written.column == columnOf("id=", in: line))
    }

    @Test("manual steps take id, name and skip only")
    func manualAttributes() {
        let runbook = parse("# Ops\n\n- [ ] Drain {name=drain skip}\n- [ ] Wait {timeout=1m}\n")
        let drain = runbook.steps[0]
        #expect(drain.key == "ops/drain")
        #expect(drain.keySource == .name)
        #expect(drain.title == "Drain")
        #expect(drain.attributes.skip)
        expectDiagnostic(runbook, line: 4, column: 13, .error, "bad-manual-attribute", ["'timeout'", "id, name and skip"])
        // Braces that hold no attribute are part of the task's text.
        let plain = parse("- [ ] Restart the unit {service}\n")
        #expect(plain.steps.first?.title == "Restart the unit {service}")
        expectNone(plain, "bad-manual-attribute")
    }

    @Test("prose that is not directly before a step is kept as a passage: under the H1, after a section's last step, at the end")
    func passages() {
        let runbook = parse(
            """
            # Title

            Intro: it does **not** undo migrations.

            ## One

            Before the step.

            ```bash {id=a}
            true
            ```

            If a check fails, roll back first.

            ## Two

            - [ ] done {id=b}

            The end.
            """)
        #expect(runbook.steps.map(\.prose) == ["Before the step.", ""])
        let passages = runbook.passages
        try? #require(passages.count == 3)
        #expect(passages.map(\.text) == ["Intro: it does **not** undo migrations.", "If a check fails, roll back first.", "The end."])
        #expect(passages.map(\.line) == [3, 13, 19])
        #expect(passages.map(\.section) == [0, 1, 2])
        #expect(passages.map(\.beforeStep) == [1, 2, nil])
        #expect(passages.map(\.endsSection) == [false, true, true])
    }

    @Test("a py block with step attributes is said to be Python, with the name to write")
    func pyAlias() {
        let runbook = parse("# P\n\n```py {id=x}\nprint(2)\n```\n")
        let finding = runbook.diagnostics.first { $0.rule == "reference-with-attributes" }
        #expect(finding?.message.contains("'py' is python: write python to make it a step") == true, "\(finding?.message ?? "none")")
        #expect(runbook.steps.isEmpty, "it still is not a step")
    }
}
