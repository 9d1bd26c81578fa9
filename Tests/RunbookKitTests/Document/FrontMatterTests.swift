import Foundation
import Testing

@testable import RunbookKit

@Suite("Front matter")
struct FrontMatterTests {
    @Test("a pattern matches the whole value whichever alternative does it, not only the first alternative's match")
    func patternAlternatives() {
        let ok = parse("---\nparams:\n  A:\n    default: 5 minutes\n    pattern: \"[0-9]+ (min|minutes)\"\n---\n# T\n")
        expectNone(ok, "bad-param")
        let bad = parse("---\nparams:\n  A:\n    default: 5 minutesx\n    pattern: \"[0-9]+ (min|minutes)\"\n---\n# T\n")
        #expect(bad.diagnostics.contains { $0.rule == "bad-param" }, "\(bad.diagnostics)")
        let alternation = parse("---\nparams:\n  A:\n    default: abc\n    pattern: \"a|abc\"\n---\n# T\n")
        expectNone(alternation, "bad-param")
    }

    @Test("title, description, shell, timeout, dir, env and params are read")
    func reads() throws {
        let runbook = try Fixtures.parse("front-matter.md")
        #expect(runbook.diagnostics.isEmpty, "\(runbook.diagnostics.map(\.rendered))")
        #expect(runbook.title == "Deploy web")
        #expect(runbook.description == "Ships the web tier.\n")
        #expect(runbook.defaults.shell == "zsh")
        #expect(runbook.defaults.timeout == .seconds(600))
        #expect(runbook.defaults.dir == "/srv/app")
        #expect(runbook.defaults.env == [EnvVar(name: "REGION", value: "eu-west-1"), EnvVar(name: "TIER", value: "web")])
        #expect(
            runbook.params == [
                Param(
                    name: "VERSION", description: "Release tag", defaultValue: nil, required: true, secret: false,
                    pattern: "v[0-9]+\\.[0-9]+", line: 13),
                Param(name: "TOKEN", description: nil, defaultValue: nil, required: false, secret: true, pattern: nil, line: 17),
                Param(name: "REPLICAS", description: nil, defaultValue: "3", required: false, secret: false, pattern: nil, line: 19),
                Param(name: "DRY_RUN", description: nil, defaultValue: nil, required: false, secret: false, pattern: nil, line: 20),
            ])
    }

    @Test("lines after the front matter stay the file's lines")
    func lineNumbers() throws {
        let runbook = try Fixtures.parse("front-matter.md")
        #expect(runbook.sections.map(\.line) == [22])
        #expect(runbook.steps.map(\.line) == [26, 30])
        #expect(runbook.steps.map(\.endLine) == [28, 30])
        #expect(runbook.steps.first?.prose == "Prose after the front matter.")
        #expect(runbook.steps.first?.code == "echo \"$VERSION $TOKEN $REPLICAS $DRY_RUN $REGION $TIER\"\n")
        let bare = parse("---\ntitle: T\n---\n```bash {id=a}\ntrue\n```\n")
        #expect(bare.steps.first?.line == 4)
        #expect(bare.steps.first?.prose == "")
        #expect(bare.steps.first?.title == "T", "a step without heading is titled by the front matter title")
    }

    @Test("without a front matter title, the first H1 is the title")
    func titleFromHeading() {
        #expect(parse("## Sub\n# First\n# Second\n- [ ] x {id=x}\n").title == "First")
        #expect(parse("- [ ] x {id=x}\n").title == nil)
    }

    @Test("'...' closes front matter; '---' not on line 1 is not front matter")
    func delimiters() {
        let dots = parse("---\ntitle: Dots\n...\n- [ ] x {id=x}\n")
        #expect(dots.title == "Dots")
        #expect(dots.steps.first?.line == 4)
        let late = parse("\n---\ntitle: Late\n---\n- [ ] x {id=x}\n")
        #expect(late.title == nil)
        #expect(late.diagnostics.isEmpty, "\(late.diagnostics.map(\.rendered))")
        let empty = parse("---\n---\n- [ ] x {id=x}\n")
        #expect(empty.diagnostics.isEmpty)
        #expect(empty.steps.first?.line == 3)
    }

    @Test("unclosed front matter is an error at line 1")
    func unclosed() {
        let runbook = parse("---\ntitle: x\n\n# No close\n\n- [ ] x {id=x}\n")
        expectDiagnostic(runbook, line: 1, column: 1, .error, "unclosed-front-matter", ["never closed", "'---'"])
        #expect(runbook.title == "No close", "nothing was read as front matter")
    }

    @Test(
        "invalid YAML is an error at the YAML's line in the file",
        arguments: [
            ("---\ntitle: x\nparams: [a\nfoo: : bar\n---\n- [ ] x {id=x}\n", 4, 4, "did not find expected ',' or ']'"),
            ("---\ntitle: x\n  bad: indent\n---\n- [ ] x {id=x}\n", 3, 6, "mapping values are not allowed"),
            ("---\ntitle: \"open\n---\n- [ ] x {id=x}\n", 2, 13, "unexpected end of stream"),
            // A key written twice: where the second one is, in words (Yams names the key only).
            ("---\ntitle: A\ntimeout: 5m\ntitle: B\n---\n- [ ] x {id=x}\n", 4, 1, "the key 'title' is written twice, on lines 2 and 4; keep one of them"),
            (
                "---\nparams:\n  X:\n    default: a\n    # note\n    default: b\n---\n- [ ] x {id=x}\n", 6, 5,
                "the key 'default' is written twice, on lines 4 and 6"
            ),
        ])
    func invalidYAML(source: String, line: Int, column: Int, words: String) {
        let runbook = parse(source)
        expectDiagnostic(runbook, line: line, column: column, .error, "front-matter-yaml", ["not valid YAML", words])
        #expect(runbook.errors.count == 1)
        #expect(
            runbook.steps.first.map { $0.line == source.split(separator: "\n").count } == true,
            "the body is still read, lines kept")
    }

    @Test("front matter that is not a mapping")
    func notMapping() {
        let runbook = parse("---\n- a\n- b\n---\n- [ ] x {id=x}\n")
        expectDiagnostic(runbook, line: 2, column: 1, .error, "front-matter-shape", ["mapping"])
    }

    @Test("a key close to ours is a warning with a suggestion; other tools' keys and x- keys are ignored")
    func unknownKeys() {
        let runbook = parse("---\ntitel: Oops\nx-owner: team\nx-anything: {a: [1, 2]}\nzzzzzz: 1\n---\n- [ ] x {id=x}\n")
        expectDiagnostic(runbook, line: 2, column: 1, .warning, "unknown-front-matter-key", ["'titel'", "did you mean 'title'"])
        #expect(runbook.diagnostics.count == 1, "\(runbook.diagnostics.map(\.rendered))")
        #expect(runbook.title == nil)
    }

    @Test(
        "bad default values",
        arguments: [
            ("timeout: soon", 2, "'timeout'"),
            ("timeout: 0s", 2, "more than zero"),
            ("shell: fish", 2, "'fish'"),
            ("env: [A, B]", 2, "'env' must be a mapping"),
            ("env:\n  1A: x", 3, "'1A'"),
            ("params: [A]", 2, "'params' must be a mapping"),
            ("title: [a, b]", 2, "'title' must be a single value"),
        ])
    func badValues(yaml: String, line: Int, words: String) {
        let runbook = parse("---\n\(yaml)\n---\n- [ ] x {id=x}\n")
        expectDiagnostic(runbook, line: line, column: 1, .error, "bad-front-matter-value", [words])
        #expect(runbook.errors.count == 1, "\(runbook.errors.map(\.rendered))")
    }

    @Test("timeout none")
    func timeoutNone() {
        #expect(parse("---\ntimeout: none\n---\n- [ ] x {id=x}\n").defaults.timeout == StepTimeout.none)
        #expect(parse("---\ntimeout: 1h30m\n---\n- [ ] x {id=x}\n").defaults.timeout == .seconds(5400))
    }

    @Test("an unknown param setting is an error at the setting, with a suggestion")
    func unknownParamSetting() {
        let runbook = parse("---\nparams:\n  VERSION:\n    requried: true\n    colour: red\n---\n```bash {id=a}\necho $VERSION\n```\n")
        expectDiagnostic(
            runbook, line: 4, column: 5, .error, "unknown-param-setting",
            ["'requried'", "'VERSION'", "did you mean 'required'"])
        expectDiagnostic(runbook, line: 5, column: 5, .error, "unknown-param-setting", ["'colour'", "known settings:"])
        #expect(runbook.params.first?.required == false)
    }

    @Test("a param name that is not an environment variable name")
    func badParamName() {
        let runbook = parse("---\nparams:\n  9BAD:\n    default: x\n  my-var: 1\n---\n- [ ] x {id=x}\n")
        expectDiagnostic(runbook, line: 3, column: 3, .error, "bad-param", ["'9BAD'", "not a valid environment variable name"])
        expectDiagnostic(runbook, line: 5, column: 3, .error, "bad-param", ["'my-var'"])
        #expect(runbook.params.isEmpty)
    }

    @Test("a secret param with a default is an error")
    func secretDefault() {
        let runbook = parse("---\nparams:\n  TOKEN:\n    secret: true\n    default: abc\n---\n```bash {id=a}\necho $TOKEN\n```\n")
        expectDiagnostic(runbook, line: 3, column: 1, .error, "secret-default", ["'TOKEN'", "remove the default"])
        #expect(runbook.errors.count == 1)
    }

    @Test("a pattern that does not compile, and a default that does not match")
    func patterns() {
        let runbook = parse(
            """
            ---
            params:
              BADPAT:
                pattern: "(["
              PORT:
                pattern: "[0-9]+"
                default: http
              GOOD:
                pattern: "[0-9]+"
                default: "8080"
              PARTIAL:
                pattern: "[0-9]+"
                default: "80a"
            ---
            ```bash {id=a}
            echo $BADPAT $PORT $GOOD $PARTIAL
            ```
            """)
        expectDiagnostic(runbook, line: 3, column: 1, .error, "bad-param", ["'BADPAT'", "not a valid regular expression", "(["])
        expectDiagnostic(runbook, line: 5, column: 1, .error, "bad-param", ["default 'http'", "'PORT'", "does not match its pattern '[0-9]+'"])
        expectDiagnostic(runbook, line: 11, column: 1, .error, "bad-param", ["default '80a'", "'PARTIAL'"])
        #expect(runbook.errors.count == 3, "\(runbook.errors.map(\.rendered))")
        #expect(runbook.params.map(\.name) == ["BADPAT", "PORT", "GOOD", "PARTIAL"])
    }

    @Test("required with a default is a warning")
    func requiredWithDefault() {
        let runbook = parse("---\nparams:\n  REQ:\n    required: true\n    default: z\n---\n```bash {id=a}\necho $REQ\n```\n")
        expectDiagnostic(runbook, line: 3, column: 1, .warning, "required-with-default", ["'REQ'", "never missing"])
        #expect(!runbook.hasErrors)
        #expect(runbook.diagnostics.count == 1)
    }

    @Test("a param flag that is not a boolean")
    func badBool() {
        let runbook = parse("---\nparams:\n  A:\n    required: maybe\n---\n```bash {id=a}\necho $A\n```\n")
        expectDiagnostic(runbook, line: 4, column: 1, .error, "bad-front-matter-value", ["'A.required'", "true or false", "'maybe'"])
    }
}
