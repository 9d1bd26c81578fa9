import Foundation
import Testing

@testable import RunbookKit

/// A stable dump of what the parser found, one line per node, in the style of swift-markdown's
/// MarkupTreeDumper: the runbook (front matter title and description), its defaults, then its params,
/// sections, steps, references and diagnostics, each kind under a group node.
///
/// Positions: `@L` is line L, `@L:C` line L column C, `@L..E` lines L to E, `@L:C..E` column C of
/// line L to line E. A section's end line is not in the model; it is derived here: the line before
/// the next heading of the same or a higher level, else the file's last line.
/// Absent values are `-`; free text is quoted, with `"`, `\` and control characters escaped.
func runbookDump(_ runbook: Runbook) -> String {
    let groups: [(String, [String])] = [
        ("Params", runbook.params.map(paramLine)),
        ("Sections", runbook.sections.indices.map { sectionLine(runbook, $0) }),
        ("Steps", runbook.steps.map(stepLine)),
        ("References", runbook.references.map { referenceLine(runbook, $0) }),
        ("Diagnostics", runbook.diagnostics.map(diagnosticLine)),
    ]
    var out = "Runbook title: \(dumpQuoted(runbook.title)) description: \(dumpQuoted(runbook.description))\n"
    out += "├─ " + defaultsLine(runbook.defaults) + "\n"
    for (index, (name, children)) in groups.enumerated() {
        let last = index == groups.count - 1
        out += (last ? "└─ " : "├─ ") + name + "\n"
        for (childIndex, child) in children.enumerated() {
            out += (last ? "   " : "│  ") + (childIndex == children.count - 1 ? "└─ " : "├─ ") + child + "\n"
        }
    }
    return out
}

/// `Defaults shell: SHELL timeout: T dir: "DIR" env: [NAME="value", …]`.
func defaultsLine(_ defaults: Defaults) -> String {
    let env = defaults.env.map { "\($0.name)=\(dumpQuoted($0.value))" }.joined(separator: ", ")
    return "Defaults shell: \(defaults.shell) timeout: \(defaults.timeout?.display ?? "-") dir: \(dumpQuoted(defaults.dir)) env: [\(env)]"
}

/// `Param NAME @LINE required: B secret: B default: "V" pattern: "P" description: "D"`.
func paramLine(_ param: Param) -> String {
    "Param \(param.name) @\(param.line) required: \(param.required) secret: \(param.secret) default: \(dumpQuoted(param.defaultValue))"
        + " pattern: \(dumpQuoted(param.pattern)) description: \(dumpQuoted(param.description))"
}

/// `Section PATH @LINE..END level: N title: "T"`.
func sectionLine(_ runbook: Runbook, _ index: Int) -> String {
    let section = runbook.sections[index]
    let next = runbook.sections[(index + 1)...].first { $0.level <= section.level }
    let end = next.map { $0.line - 1 } ?? lastLine(of: runbook)
    return "Section \(section.path) @\(section.line)..\(end) level: \(section.level) title: \(dumpQuoted(section.title))"
}

/// `Step NUMBER KEY KIND @LINE:COLUMN..END LANGUAGE ATTRIBUTES`, the attributes as written.
func stepLine(_ step: Step) -> String {
    let attributes = step.attributes.written.map { attribute -> String in
        guard let value = attribute.value else { return attribute.key }
        return value.contains(" ") || value.isEmpty ? "\(attribute.key)=\"\(value)\"" : "\(attribute.key)=\(value)"
    }
    let fields = [
        "Step", String(step.number), step.key, step.kind.rawValue, "@\(step.line):\(step.column)..\(step.endLine)",
        step.language ?? "-", attributes.isEmpty ? "-" : attributes.joined(separator: " "),
    ]
    return fields.joined(separator: " ")
}

/// `Reference LANGUAGE FORM @LINE..END section: PATH`.
func referenceLine(_ runbook: Runbook, _ reference: ReferenceBlock) -> String {
    let section = reference.section.map { runbook.sections[$0].path } ?? "-"
    return "Reference \(reference.language.isEmpty ? "-" : reference.language) \(reference.form) @\(reference.line)..\(reference.endLine) section: \(section)"
}

/// `Diagnostic @LINE:COLUMN SEVERITY RULE "MESSAGE"`.
func diagnosticLine(_ diagnostic: Diagnostic) -> String {
    "Diagnostic @\(diagnostic.line):\(diagnostic.column) \(diagnostic.severity.rawValue) \(diagnostic.rule) \(dumpQuoted(diagnostic.message))"
}

/// The number of the file's last line (a final line without LF counts).
private func lastLine(of runbook: Runbook) -> Int {
    let newlines = runbook.rawBytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
    return runbook.rawBytes.isEmpty || runbook.rawBytes.last == 0x0A ? newlines : newlines + 1
}

/// `"text"` with `"`, `\` and control characters escaped; `-` for nil.
func dumpQuoted(_ text: String?) -> String {
    guard let text else { return "-" }
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where scalar.value < 0x20 || scalar.value == 0x7F: out += "\\u{\(String(scalar.value, radix: 16))}"
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}

@Suite("Golden")
struct GoldenTests {
    static let recordVariable = "RUNBOOK_RECORD_GOLDEN"

    /// Compares `actual` with the checked-in `name`; rewrites it in the source tree when RUNBOOK_RECORD_GOLDEN=1.
    static func assertGolden(_ actual: String, named name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        if ProcessInfo.processInfo.environment[recordVariable] == "1" {
            let url = Fixtures.sourceDirectory.appendingPathComponent(name)
            try Data(actual.utf8).write(to: url)
            print("recorded \(url.path)")
            return
        }
        let url = try Fixtures.directory.appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            Issue.record("golden file \(name) is missing; run with \(recordVariable)=1 to record it", sourceLocation: sourceLocation)
            return
        }
        let expected = String(decoding: data, as: UTF8.self)
        if actual != expected {
            let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
            let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
            var diff: [String] = []
            for i in 0..<max(a.count, e.count) {
                let left = i < e.count ? String(e[i]) : "<none>"
                let right = i < a.count ? String(a[i]) : "<none>"
                if left != right { diff.append("line \(i + 1):\n  expected: \(left)\n  actual:   \(right)") }
            }
            Issue.record(
                "\(name) differs (re-record with \(recordVariable)=1 if the change is intended):\n\(diff.joined(separator: "\n"))",
                sourceLocation: sourceLocation)
        }
    }

    @Test("the everything fixture's dump matches everything.golden")
    func everything() throws {
        let runbook = try Fixtures.parse("everything.md")
        #expect(!runbook.hasErrors, "\(runbook.errors.map(\.rendered))")
        try Self.assertGolden(runbookDump(runbook), named: "everything.golden")
    }

    @Test("a step's line has its fields in order, with its source range")
    func dumpShape() {
        let runbook = parse("# H\n\n```bash {id=a timeout=2m env=\"X=y z\"}\ntrue\n```\n\n- [x] tick\n")
        #expect(runbook.steps.map(stepLine) == ["Step 1 a code @3:1..5 bash id=a timeout=2m env=\"X=y z\"", "Step 2 h#2 manual @7:1..7 - -"])
    }

    @Test("the dump has one line per node, under one group per kind")
    func dumpTree() {
        let runbook = parse(
            "---\nparams:\n  NAME:\n    default: world\n---\n# Greet\n\n```bash {id=hello}\necho hello\n```\n\n```console\n$ runbook run t.md\n```\n")
        #expect(
            runbookDump(runbook) == """
                Runbook title: "Greet" description: -
                ├─ Defaults shell: bash timeout: - dir: - env: []
                ├─ Params
                │  └─ Param NAME @3 required: false secret: false default: "world" pattern: - description: -
                ├─ Sections
                │  └─ Section greet @6..14 level: 1 title: "Greet"
                ├─ Steps
                │  └─ Step 1 hello code @8:1..10 bash id=hello
                ├─ References
                │  └─ Reference console fenced @12..14 section: greet
                └─ Diagnostics
                   └─ Diagnostic @3:1 warning unused-param "parameter 'NAME' is declared but no step reads it; remove it or use it as $NAME"

                """)
    }

    @Test("free text in the dump stays on one line")
    func dumpQuoting() {
        #expect(dumpQuoted("a \"b\" c\\d\ne\tf\u{1}") == #""a \"b\" c\\d\ne\tf\u{1}""#)
        #expect(dumpQuoted(nil) == "-")
    }
}
