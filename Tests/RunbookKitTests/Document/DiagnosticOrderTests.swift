import Foundation
import Testing

@testable import RunbookKit

@Suite("Diagnostic order")
struct DiagnosticOrderTests {
    @Test("diagnostics come in file order (line, then column)")
    func fileOrder() throws {
        for name in ["params-lint.md", "dup-keys.md", "keys.md"] {
            let runbook = try Fixtures.parse(name)
            let positions = runbook.diagnostics.map { [$0.line, $0.column] }
            #expect(positions == positions.sorted { $0.lexicographicallyPrecedes($1) }, "\(name)")
            #expect(runbook.diagnostics.allSatisfy { $0.path.hasSuffix(name) })
        }
    }

    @Test("at the same line and column, errors come before warnings")
    func errorsFirstOnTie() {
        // An empty step (warning, found while walking) that also has a duplicate key (error, found later).
        let runbook = parse("```bash {id=a}\n```\n\n```bash {id=a}\ntrue\n```\n")
        let atFirst = runbook.diagnostics.filter { $0.line == 1 && $0.column == 1 }
        #expect(Set(atFirst.map(\.rule)) == ["empty-step", "duplicate-key"])
        #expect(atFirst.map(\.severity) == [.error, .warning])
    }
}
