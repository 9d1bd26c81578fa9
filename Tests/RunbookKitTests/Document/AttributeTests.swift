import Foundation
import Testing

@testable import RunbookKit

/// 1-based UTF-8 column of the first occurrence of `needle` in `line`.
func columnOf(_ needle: String, in line: String) -> Int {
    guard let range = line.range(of: needle) else { return -1 }
    return line.utf8.distance(from: line.utf8.startIndex, to: range.lowerBound) + 1
}

@Suite("Attributes")
struct AttributeTests {
    @Test("every attribute is typed")
    func fullSet() throws {
        let runbook = try Fixtures.parse("attributes.md")
        #expect(runbook.diagnostics.isEmpty, "\(runbook.diagnostics.map(\.rendered))")
        let a = try #require(runbook.step(key: "x")).attributes
        #expect(a.id == "x")
        #expect(a.name == nil)
        #expect(a.timeout == .seconds(120))
        #expect(a.confirm)
        #expect(a.retries == 2)
        #expect(a.onFailure == .prompt)
        #expect(a.interactive)
        #expect(a.dir == "/tmp")
        #expect(a.env == [EnvVar(name: "A", value: "1"), EnvVar(name: "B", value: "two words")])
        #expect(a.skip)
        #expect(a.skipReason == "reason")
        #expect(a.idempotent)
        #expect(a.expectExit == [0, 1])
        #expect(
            a.written.map(\.key) == [
                "id", "timeout", "confirm", "retries", "on-failure", "interactive", "dir",
                "env", "env", "skip", "idempotent", "expect-exit",
            ])
        #expect(a.written[2].value == nil, "a bare flag has no value")
        #expect(a.written[8].value == "B=two words")
        let line =
            "```bash {id=x timeout=2m confirm retries=2 on-failure=prompt interactive dir=/tmp env=A=1 env=\"B=two words\" skip=\"reason\" idempotent expect-exit=0,1}"
        #expect(
            a.written.map(\.column) == [
                columnOf("id=", in: line), columnOf("timeout=", in: line), columnOf("confirm", in: line),
                columnOf("retries=", in: line), columnOf("on-failure=", in: line), columnOf("interactive", in: line),
                columnOf("dir=", in: line), columnOf("env=A", in: line), columnOf("env=\"B", in: line),
                columnOf("skip=", in: line), columnOf("idempotent", in: line), columnOf("expect-exit=", in: line),
            ])
        #expect(a.written.first?.column == 10)
    }

    @Test("defaults of a step without attributes")
    func defaults() {
        let a = parse("```bash\ntrue\n```\n").steps[0].attributes
        #expect(a == StepAttributes())
        #expect(a.timeout == nil && !a.confirm && a.retries == 0 && a.onFailure == .prompt && !a.interactive)
        #expect(a.dir == nil && a.env.isEmpty && !a.skip && a.skipReason == nil && !a.idempotent && a.expectExit == [0])
    }

    @Test("Runme style and JSON form read the same as the native form")
    func runmeAndJSON() throws {
        let runbook = try Fixtures.parse("attributes.md")
        let runme = try #require(runbook.step(key: "attributes/runme"))
        #expect(runme.keySource == .name)
        #expect(runme.attributes.name == "runme")
        #expect(runme.attributes.interactive)
        let json = try #require(runbook.step(key: "attributes/json"))
        #expect(json.keySource == .name)
        #expect(json.attributes.interactive)
        #expect(json.attributes.env == [EnvVar(name: "A", value: "1")])
        #expect(json.language == "sh")

        let native = parse("```sh {name=x interactive env=A=1}\ntrue\n```\n").steps[0].attributes
        let spaced = parse("```sh { name=x interactive=true env=A=1 }\ntrue\n```\n").steps[0].attributes
        let object = parse("```sh {\"name\":\"x\",\"interactive\":true,\"env\":{\"A\":\"1\"}}\ntrue\n```\n").steps[0].attributes
        for other in [spaced, object] {
            #expect(other.name == native.name)
            #expect(other.interactive == native.interactive)
            #expect(other.env == native.env)
        }
        let jsonNumbers = parse("```bash {\"id\":\"n\",\"retries\":3,\"expect-exit\":[0,2],\"timeout\":\"5m\"}\ntrue\n```\n")
        #expect(jsonNumbers.diagnostics.isEmpty, "\(jsonNumbers.diagnostics.map(\.rendered))")
        let n = jsonNumbers.steps[0].attributes
        #expect(n.retries == 3)
        #expect(n.expectExit == [0, 2])
        #expect(n.timeout == .seconds(300))
    }

    @Test("aliases and other values: cwd, none, false flags, excludeFromRunAll")
    func aliasesAndValues() throws {
        let runbook = try Fixtures.parse("attributes.md")
        let alias = try #require(runbook.step(key: "alias")).attributes
        #expect(alias.dir == "/var/tmp")
        #expect(alias.onFailure == .continue)
        #expect(alias.timeout == StepTimeout.none)
        #expect(alias.retries == 0)
        #expect(alias.written.map(\.key).contains("cwd"), "written keeps the spelling used")
        let falsy = try #require(runbook.step(key: "falsy")).attributes
        #expect(!falsy.confirm && !falsy.interactive && !falsy.skip)
        #expect(falsy.timeout == .seconds(5400))
        #expect(falsy.onFailure == .abort)
        let excluded = try #require(runbook.step(key: "runme-skip")).attributes
        #expect(excluded.skip)
        #expect(excluded.skipReason == "excludeFromRunAll")
    }

    @Test("Runme-only attributes are ignored with a warning at the attribute")
    func ignoredRunme() {
        let runbook = parse("```sh { name=x closeTerminalOnSuccess=false background=true }\ntrue\n```\n")
        let line = "```sh { name=x closeTerminalOnSuccess=false background=true }"
        expectDiagnostic(
            runbook, line: 1, column: columnOf("closeTerminalOnSuccess", in: line), .warning, "ignored-attribute",
            ["'closeTerminalOnSuccess'", "ignored"])
        expectDiagnostic(runbook, line: 1, column: columnOf("background", in: line), .warning, "ignored-attribute", ["'background'"])
        #expect(!runbook.hasErrors)
        #expect(runbook.steps[0].attributes.name == "x")
    }

    @Test("an unknown attribute is an error with a suggestion")
    func unknownAttribute() {
        let runbook = parse("# T\n\n```bash {id=a timout=2m}\ntrue\n```\n")
        expectDiagnostic(runbook, line: 3, column: 15, .error, "unknown-attribute", ["'timout'", "did you mean 'timeout'"])
        #expect(runbook.steps[0].attributes.timeout == nil)
        let far = parse("```bash {id=a frobnicate=1}\ntrue\n```\n")
        expectDiagnostic(far, line: 1, column: 15, .error, "unknown-attribute", ["'frobnicate'", "known attributes:", "timeout"])
        let camel = parse("```bash {id=a onFailure=abort}\ntrue\n```\n")
        expectDiagnostic(camel, line: 1, column: 15, .error, "unknown-attribute", ["did you mean 'on-failure'"])
    }

    @Test(
        "malformed attribute blocks",
        arguments: [
            ("```bash {name=x\ntrue\n```\n", 9, "never closed with '}'"),
            ("```bash {name=\"x}\ntrue\n```\n", 10, "quote that is never closed"),
            ("```bash {name='x}\ntrue\n```\n", 10, "quote that is never closed"),
            ("```bash id=x\ntrue\n```\n", 9, "must be written in braces"),
            ("```bash {name=}\ntrue\n```\n", 10, "no value"),
            ("```bash {id=a !x}\ntrue\n```\n", 15, "unexpected '!'"),
            ("```bash {id=a \"x\"}\ntrue\n```\n", 15, "unexpected '\"'"),
            ("```bash {id=a name=x{y}\ntrue\n```\n", 21, "quote values that hold quotes or braces"),
            ("```bash {\"id\": [1, {\"a\": 2}]}\ntrue\n```\n", 9, "looks like JSON"),
            ("```bash {\"id\":\"a\",\"dir\":{\"x\":\"y\"}}\ntrue\n```\n", 9, "not a JSON object"),
        ])
    func malformed(source: String, column: Int, words: String) {
        let runbook = parse(source)
        expectDiagnostic(runbook, line: 1, column: column, .error, "malformed-attributes", [words])
        #expect(runbook.steps.count == 1, "a block with malformed attributes is still a step")
    }

    @Test(
        "bad attribute values are errors at the attribute",
        arguments: [
            ("timeout=soon", "duration"),
            ("timeout=0", "more than zero"),
            ("timeout=8d", "at most 7 days"),
            ("retries=-1", "0 to 100"),
            ("retries=101", "0 to 100"),
            ("retries=two", "whole number"),
            ("on-failure=maybe", "prompt, abort, continue"),
            ("confirm=perhaps", "true or false"),
            ("interactive=yes", "true or false"),
            ("idempotent=1", "true or false"),
            ("expect-exit=300", "0 to 255"),
            ("expect-exit=0,x", "0 to 255"),
            ("name=\"has space\"", "letters, digits"),
            ("name=-dash", "starting with a letter or digit"),
            ("dir=\"\"", "directory path"),
            ("env=NOEQUALS", "NAME=value"),
            ("env=1X=2", "NAME=value"),
        ])
    func badValue(attribute: String, words: String) {
        let line = "```bash {id=ok \(attribute)}"
        let runbook = parse(line + "\ntrue\n```\n")
        let key = String(attribute.prefix { $0 != "=" })
        expectDiagnostic(runbook, line: 1, column: 16, .error, "bad-attribute-value", ["'\(key)'", words])
        #expect(runbook.errors.count == 1, "\(runbook.errors.map(\.rendered))")
    }

    @Test("several bad values on one line each point at their attribute")
    func badValuesColumns() {
        let line = "```bash {timeout=soon retries=-1 on-failure=maybe confirm=perhaps expect-exit=300 id=\"has space\"}"
        let runbook = parse(line + "\ntrue\n```\n")
        let bad = runbook.diagnostics(rule: "bad-attribute-value")
        #expect(bad.map(\.column) == ["timeout=", "retries=", "on-failure=", "confirm=", "expect-exit=", "id="].map { columnOf($0, in: line) })
        #expect(bad.allSatisfy { $0.line == 1 && $0.severity == .error })
        #expect(bad.map { $0.message.contains("not '") } == Array(repeating: true, count: 6))
        expectDiagnostic(runbook, line: 1, column: 10, .error, "bad-attribute-value", ["'timeout'", "not 'soon'"])
        expectDiagnostic(runbook, line: 1, column: columnOf("id=", in: line), .error, "bad-attribute-value", ["not 'has space'"])
    }

    @Test("a repeated attribute is an error; env may repeat with different names")
    func duplicateAttribute() {
        let line = "```bash {id=d1 id=d2 timeout=1m timeout=2m env=A=1 env=B=2 env=A=3}"
        let runbook = parse(line + "\ntrue\n```\n")
        expectDiagnostic(runbook, line: 1, column: 16, .error, "duplicate-attribute", ["'id'", "more than once"])
        expectDiagnostic(runbook, line: 1, column: 33, .error, "duplicate-attribute", ["'timeout'"])
        expectDiagnostic(runbook, line: 1, column: columnOf("env=A=3", in: line), .error, "duplicate-attribute", ["env variable 'A'"])
        #expect(runbook.diagnostics(rule: "duplicate-attribute").count == 3)
        let a = runbook.steps[0].attributes
        #expect(a.id == "d1", "the first value wins")
        #expect(a.timeout == .seconds(60))
        #expect(a.env == [EnvVar(name: "A", value: "1"), EnvVar(name: "B", value: "2")])
        let cwdAndDir = parse("```bash {id=a dir=/a cwd=/b}\ntrue\n```\n")
        expectDiagnostic(cwdAndDir, line: 1, column: 22, .error, "duplicate-attribute", ["'dir'"])
    }

    @Test("a non-runnable block with attributes is a reference, with a warning")
    func referenceWithAttributes() {
        let runbook = parse("# T\n\n```yaml {id=y}\na: 1\n```\n\n  ```console {name=c}\n  $ ls\n  ```\n\n```text\nplain\n```\n")
        expectDiagnostic(runbook, line: 3, column: 1, .warning, "reference-with-attributes", ["'yaml'", "never runs", "reference"])
        expectDiagnostic(runbook, line: 7, column: 3, .warning, "reference-with-attributes", ["'console'"])
        #expect(runbook.diagnostics(rule: "reference-with-attributes").count == 2)
        #expect(runbook.steps.isEmpty)
        #expect(runbook.references.map(\.language) == ["yaml", "console", "text"])
    }

    @Test("a block with attributes and no language says to write the language, and names Pandoc's class form")
    func attributesWithoutLanguage() {
        let runbook = parse("# T\n\n```{id=x}\ntrue\n```\n\n```{.bash}\necho hi\n```\n")
        expectDiagnostic(
            runbook, line: 3, column: 1, .warning, "reference-with-attributes",
            ["block with no language", "write its language before the braces, e.g. 'bash {id=x}'"])
        expectDiagnostic(
            runbook, line: 7, column: 1, .warning, "reference-with-attributes", ["'{.bash}' is Pandoc's class form: write 'bash' before the braces"])
        #expect(!runbook.diagnostics.contains { $0.message.contains("language ''") })
        #expect(runbook.steps.isEmpty)
    }

    @Test("durations parse and display")
    func durations() {
        #expect(parseDuration("30s") == 30)
        #expect(parseDuration("2m") == 120)
        #expect(parseDuration("1h30m") == 5400)
        #expect(parseDuration("500ms") == 0.5)
        #expect(parseDuration("1.5h") == 5400)
        #expect(parseDuration("45") == 45)
        #expect(parseDuration("soon") == nil)
        #expect(parseDuration("") == nil)
        #expect(parseDuration("5x") == nil)
        #expect(StepTimeout.seconds(90).display == "1m30s")
        #expect(StepTimeout.seconds(5400).display == "1h30m")
        #expect(StepTimeout.seconds(0.5).display == "500ms")
        #expect(StepTimeout.none.display == "none")
    }
}
