import Foundation
import Testing
@testable import RunbookKit

/// One stable line per step: `number key kind line language attributes`.
func stepDump(_ runbook: Runbook) -> String {
    var out = ""
    for step in runbook.steps {
        let attributes = step.attributes.written.map { attribute -> String in
            guard let value = attribute.value else { return attribute.key }
            return value.contains(" ") || value.isEmpty ? "\(attribute.key)=\"\(value)\"" : "\(attribute.key)=\(value)"
        }
        let fields = [String(step.number), step.key, step.kind.rawValue, String(step.line), step.language ?? "-",
                      attributes.isEmpty ? "-" : attributes.joined(separator: " ")]
        out += fields.joined(separator: " ") + "\n"
    }
    return out
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
            Issue.record("\(name) differs (re-record with \(recordVariable)=1 if the change is intended):\n\(diff.joined(separator: "\n"))",
                         sourceLocation: sourceLocation)
        }
    }

    @Test("the everything fixture's step dump matches everything.golden")
    func everything() throws {
        let runbook = try Fixtures.parse("everything.md")
        #expect(!runbook.hasErrors, "\(runbook.errors.map(\.rendered))")
        try Self.assertGolden(stepDump(runbook), named: "everything.golden")
    }

    @Test("the dump has one line per step, fields in order")
    func dumpShape() {
        let runbook = parse("# H\n\n```bash {id=a timeout=2m env=\"X=y z\"}\ntrue\n```\n\n- [x] tick\n")
        #expect(stepDump(runbook) == "1 a code 3 bash id=a timeout=2m env=\"X=y z\"\n2 h#2 manual 7 - -\n")
    }
}
