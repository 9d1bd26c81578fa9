import Foundation
import Testing

@testable import RunbookKit

@Suite("Params lint")
struct ParamLintTests {
    static let line15 = #"echo "$APP ${UNDECLARED} $UNDECLARED $HOME $PATH $RUNBOOK_RUN_ID $lower_case $REGION""#
    static let line20 = #"echo $EXPORTED $ANSWER \$ESCAPED ${BRACED_MISSING:-x}"#
    static let line25 = #"print(os.environ["PY_MISSING"], os.getenv("PY_GET"), os.environ["PY_DECLARED"])"#
    static let line26 = #"print("$NOT_SHELL", os.environ.get('PY_GET2'))"#
    static let line29 = #"```bash {id=attrs dir=/srv/$DIR_MISSING env="X=${ENV_MISSING}"}"#

    static func name(_ d: Diagnostic) -> String {
        String(d.message.dropFirst().prefix { $0 != "'" })
    }

    @Test("undeclared params are reported once, at their first use")
    func undeclared() throws {
        let runbook = try Fixtures.parse("params-lint.md")
        let found = runbook.diagnostics(rule: "undeclared-param")
        #expect(found.prefix(5).map(Self.name) == ["UNDECLARED", "BRACED_MISSING", "PY_MISSING", "PY_GET", "PY_GET2"])
        #expect(found.dropFirst(5).map(Self.name).sorted() == ["DIR_MISSING", "ENV_MISSING"])
        #expect(found.allSatisfy { $0.severity == .warning })
        expectDiagnostic(
            runbook, line: 15, column: columnOf("${UNDECLARED}", in: Self.line15), .warning, "undeclared-param",
            ["'UNDECLARED'", "not a declared param", "params:"])
        expectDiagnostic(runbook, line: 20, column: columnOf("${BRACED", in: Self.line20), .warning, "undeclared-param", ["'BRACED_MISSING'"])
        // Python reads are located at the access (`environ[`, `getenv(`, `environ.get(`).
        expectDiagnostic(runbook, line: 25, column: columnOf("environ[\"PY_MISSING", in: Self.line25), .warning, "undeclared-param", ["'PY_MISSING'"])
        expectDiagnostic(runbook, line: 25, column: columnOf("getenv(", in: Self.line25), .warning, "undeclared-param", ["'PY_GET'"])
        expectDiagnostic(runbook, line: 26, column: columnOf("environ.get(", in: Self.line26), .warning, "undeclared-param", ["'PY_GET2'"])
        // Attribute values: reported on the fence's line.
        #expect(found.filter { $0.line == 29 }.map(Self.name).sorted() == ["DIR_MISSING", "ENV_MISSING"])
    }

    @Test("params read in dir and env attribute values are located at the '$' in the fence line")
    func attributeValueColumns() throws {
        let runbook = try Fixtures.parse("params-lint.md")
        let found = runbook.diagnostics(rule: "undeclared-param")
        #expect(found.contains { Self.name($0) == "DIR_MISSING" && $0.line == 29 })
        expectDiagnostic(runbook, line: 29, column: columnOf("$DIR_MISSING", in: Self.line29), .warning, "undeclared-param", ["'DIR_MISSING'"])
        expectDiagnostic(runbook, line: 29, column: columnOf("${ENV_MISSING}", in: Self.line29), .warning, "undeclared-param", ["'ENV_MISSING'"])
    }

    @Test("declared, env, assigned, lower-case, well-known and escaped names are never reported")
    func neverReported() throws {
        let runbook = try Fixtures.parse("params-lint.md")
        let names = Set(runbook.diagnostics(rule: "undeclared-param").map(Self.name))
        for quiet in [
            "APP", "REGION", "HOME", "PATH", "RUNBOOK_RUN_ID", "lower_case", "LOCAL", "EXPORTED", "ANSWER",
            "ITEM", "ESCAPED", "NOT_SHELL", "PY_DECLARED", "X", "LATER",
        ] {
            #expect(!names.contains(quiet), "\(quiet) must not be reported")
        }
    }

    @Test("a declared param no step reads is reported at its declaration")
    func unused() throws {
        let runbook = try Fixtures.parse("params-lint.md")
        #expect(runbook.diagnostics(rule: "unused-param").map { Finding($0) } == [Finding(5, 1, .warning, "unused-param")])
        expectDiagnostic(runbook, line: 5, column: 1, .warning, "unused-param", ["'NEVER_READ'", "no step reads it", "$NEVER_READ"])
        #expect(!runbook.hasErrors, "\(runbook.errors.map(\.rendered))")
    }

    @Test("a param read only in an attribute, a front matter value or another language counts as used")
    func usedElsewhere() {
        let runbook = parse(
            """
            ---
            params:
              IN_DIR: {}
              IN_ENV: {}
              IN_FM_ENV: {}
              IN_RUBY: {}
              IN_NODE: {}
              IN_PERL: {}
              IN_GETENV: {}
            env:
              COMBINED: "${IN_FM_ENV}-x"
            ---
            ```bash {id=a dir=/srv/$IN_DIR env="Y=$IN_ENV"}
            true
            ```

            ```ruby {id=b}
            puts ENV["IN_RUBY"], ENV.fetch("RUBY_MISSING")
            ```

            ```node {id=c}
            console.log(process.env.IN_NODE, process.env.NODE_MISSING)
            ```

            ```perl {id=d}
            print $ENV{IN_PERL}, $ENV{PERL_MISSING};
            ```

            ```python3 {id=e}
            import os; os.getenv("IN_GETENV")
            ```
            """)
        expectNone(runbook, "unused-param")
        let names = runbook.diagnostics(rule: "undeclared-param").map(Self.name)
        #expect(names == ["RUBY_MISSING", "NODE_MISSING", "PERL_MISSING"])
        expectDiagnostic(
            runbook, line: 18, column: columnOf("ENV.fetch", in: #"puts ENV["IN_RUBY"], ENV.fetch("RUBY_MISSING")"#),
            .warning, "undeclared-param", ["'RUBY_MISSING'"])
        expectDiagnostic(
            runbook, line: 22, column: columnOf("process.env.NODE", in: "console.log(process.env.IN_NODE, process.env.NODE_MISSING)"),
            .warning, "undeclared-param", ["'NODE_MISSING'"])
    }

    @Test("front matter values that read an undeclared name are reported")
    func frontMatterValues() {
        let runbook = parse("---\ndir: /srv/${FM_DIR}\n---\n- [ ] x {id=x}\n")
        #expect(runbook.diagnostics(rule: "undeclared-param").map(Self.name) == ["FM_DIR"])
    }

    @Test("shell assignments: NAME=, export, local, read with options, for, mapfile, printf -v, getopts")
    func assignments() {
        let runbook = parse(
            """
            ```bash {id=a}
            A1=1
            export A2=2
            local A3=3
            declare -r A4=4
            read -r -p "prompt" A5 A6
            for A7 in x y; do :; done
            mapfile -t A8 < file
            printf -v A9 '%s' x
            getopts "ab" A10
            A11+=more
            echo $A1 $A2 $A3 $A4 $A5 $A6 $A7 $A8 $A9 $A10 $A11 $NOT_SET
            ```
            """)
        #expect(runbook.diagnostics(rule: "undeclared-param").map(Self.name) == ["NOT_SET"])
        let line = "echo $A1 $A2 $A3 $A4 $A5 $A6 $A7 $A8 $A9 $A10 $A11 $NOT_SET"
        expectDiagnostic(runbook, line: 12, column: columnOf("$NOT_SET", in: line), .warning, "undeclared-param", ["'NOT_SET'"])
    }

    @Test("columns inside list items and block quotes are the file's columns")
    func nestedColumns() {
        let runbook = parse(
            """
            1. Item

               ```bash {id=a}
               echo $IN_LIST
               ```

            > ```sh {id=b}
            > echo   $IN_QUOTE
            > ```
            """)
        expectDiagnostic(runbook, line: 4, column: 9, .warning, "undeclared-param", ["'IN_LIST'"])
        expectDiagnostic(runbook, line: 8, column: 10, .warning, "undeclared-param", ["'IN_QUOTE'"])
    }

    @Test("mixed-case names and names only in manual steps")
    func mixedCase() {
        let runbook = parse("```bash {id=a}\necho $MixedCase $_UNDERSCORE $X1\n```\n\n- [ ] Set $MANUAL_ONLY {id=m}\n")
        #expect(runbook.diagnostics(rule: "undeclared-param").map(Self.name) == ["_UNDERSCORE", "X1"])
    }
}
