import Foundation
import Testing

@testable import RunbookKit

@Suite("Scale")
struct ScaleTests {
    @Test("100,000 steps under 10,000 headings parse completely, with no findings")
    func hundredThousandSteps() throws {
        let count = 100_000
        var bytes = [UInt8]()
        bytes.reserveCapacity(count * 36)
        var line = 1
        var expectedLines = [Int]()
        expectedLines.reserveCapacity(count)
        func add(_ text: String) {
            bytes.append(contentsOf: text.utf8)
            line += text.utf8.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        }
        add("# Scale\n\n")
        for n in 1...count {
            if (n - 1) % 10 == 0 { add("## Part \((n - 1) / 10)\n\n") }
            expectedLines.append(line)
            add("```bash {id=s\(n)}\necho \(n)\n```\n\n")
        }
        let runbook = parse(bytes: bytes, path: "scale.md")
        #expect(runbook.diagnostics.isEmpty, "\(runbook.diagnostics.prefix(5).map(\.rendered))")
        try #require(runbook.steps.count == count)
        #expect(runbook.sections.count == count / 10 + 1)
        var mismatches = 0
        for (i, step) in runbook.steps.enumerated() {
            let n = i + 1
            if step.key != "s\(n)" || step.keySource != .id || step.number != n || step.line != expectedLines[i]
                || step.section != i / 10 + 1 || step.code != "echo \(n)\n"
            {
                mismatches += 1
                if mismatches <= 5 { Issue.record("step \(n) wrong: \(step.key) line \(step.line) section \(String(describing: step.section))") }
            }
        }
        #expect(mismatches == 0)
        #expect(runbook.sections.last?.path == "scale/part-9999")
        #expect(runbook.steps.last?.line == line - 4)
        #expect(Set(runbook.steps.map(\.key)).count == count)
    }
}
