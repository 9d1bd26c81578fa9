import Foundation
import Testing

@testable import RunbookKit

@Suite("Keys")
struct KeyTests {
    @Test("duplicate keys are exactly the reused ones, keys of equal hashes told apart as text")
    func duplicatesWithEqualHashes() {
        // k0…k29, with k7 used again at 30 and k12 at 31 and 32.
        let keys = (0..<30).map { "k\($0)" } + ["k7", "k12", "k12"]
        let text = "# Many\n\n" + keys.map { "```bash {id=\($0)}\ntrue\n```\n" }.joined(separator: "\n")
        let steps = RunbookParser.parse(bytes: Array(text.utf8), path: "many.md").steps
        let expected = [30: 7, 31: 12, 32: 12]
        #expect(DuplicateKeys.firstUses(in: steps) == expected)
        // Hashes that collide all the time (by length: k0…k9 alike, k10…k29 alike) change nothing.
        #expect(DuplicateKeys.firstUses(in: steps) { UInt32($0.utf8.count) } == expected)
        #expect(DuplicateKeys.firstUses(in: steps) { _ in 0 } == expected)
    }

    @Test("keys come from id, then heading path + name, then heading path + ordinal")
    func derivation() throws {
        let runbook = try Fixtures.parse("keys.md")
        let keys = runbook.steps.map { "\($0.line) \($0.key) \($0.keySource.rawValue)" }
        #expect(
            keys == [
                "3 top#1 ordinal",
                "7 early name",
                "13 explicit-id id",
                "19 roll-back/drain/restart name",
                "23 roll-back/drain#2 ordinal",
                "27 drained id",
                "28 roll-back/drain#4 ordinal",
                "32 roll-back/verify-kubectl-v1-2-übersicht#1 ordinal",
                "38 untitled#1 ordinal",
            ])
        #expect(!runbook.hasErrors, "\(runbook.errors.map(\.rendered))")
    }

    @Test("an ordinal key gets an unstable-key warning at the step, and only an ordinal key")
    func unstableKey() throws {
        let runbook = try Fixtures.parse("keys.md")
        let unstable = runbook.diagnostics(rule: "unstable-key")
        #expect(
            unstable.map { Finding($0) } == [
                Finding(3, 1, .warning, "unstable-key"),
                Finding(23, 1, .warning, "unstable-key"),
                Finding(28, 1, .warning, "unstable-key"),
                Finding(32, 1, .warning, "unstable-key"),
                Finding(38, 1, .warning, "unstable-key"),
            ])
        expectDiagnostic(runbook, line: 3, column: 1, .warning, "unstable-key", ["'top#1'", "add {id=...} after the language"])
        expectDiagnostic(runbook, line: 28, column: 1, .warning, "unstable-key", ["'roll-back/drain#4'", "end the task text with {id=...}"])
    }

    @Test("ordinals count per section, steps with ids and names included")
    func ordinalsPerSection() {
        let runbook = parse(
            """
            # A

            ```bash {id=a1}
            true
            ```

            ```bash
            true
            ```

            # B

            ```bash
            true
            ```

            # A again

            - [ ] task
            """)
        #expect(runbook.steps.map(\.key) == ["a1", "a#2", "b#1", "a-again#1"])
    }

    @Test("duplicate keys are an error at both steps, each naming the other's line")
    func duplicateKeys() throws {
        let runbook = try Fixtures.parse("dup-keys.md")
        #expect(
            runbook.diagnostics(rule: "duplicate-key").map { Finding($0) } == [
                Finding(3, 1, .error, "duplicate-key"),
                Finding(7, 1, .error, "duplicate-key"),
                Finding(13, 1, .error, "duplicate-key"),
                Finding(17, 1, .error, "duplicate-key"),
            ])
        expectDiagnostic(runbook, line: 3, column: 1, .error, "duplicate-key", ["'same'", "used again", "line 7"])
        expectDiagnostic(runbook, line: 7, column: 1, .error, "duplicate-key", ["'same'", "already used", "line 3", "different id="])
        expectDiagnostic(runbook, line: 13, column: 1, .error, "duplicate-key", ["'dups/named/again'", "line 17"])
        expectDiagnostic(runbook, line: 17, column: 1, .error, "duplicate-key", ["'dups/named/again'", "line 13", "different name="])
        #expect(runbook.hasErrors)
        #expect(runbook.steps.count == 4, "duplicates are still listed as steps")
    }

    @Test("a key used three times names the first step each time, beside another duplicate")
    func duplicateKeysMany() {
        let ids = ["a", "b", "a", "d", "a", "d", "c"]
        let text = ids.map { "```bash {id=\($0)}\ntrue\n```\n" }.joined(separator: "\n")
        let runbook = parse(text)
        let findings = runbook.diagnostics(rule: "duplicate-key")
        // Steps start at lines 1, 5, 9, …: step N (0-based) at line 4N + 1.
        let usedAgain = findings.filter { $0.message.contains("used again") }.map(\.line)
        let alreadyUsed = findings.filter { $0.message.contains("already used") }
        #expect(usedAgain == [1, 1, 13], "the first 'a' twice, the first 'd' once")
        #expect(alreadyUsed.map(\.line) == [9, 17, 21])
        #expect(alreadyUsed.allSatisfy { $0.message.contains("line 1;") || $0.message.contains("line 13;") })
        #expect(alreadyUsed[2].message.contains("line 13;"), "\(alreadyUsed[2].message)")
    }

    @Test("thousands of steps with one id: each names the first, and the check stays linear")
    func duplicateKeysOneID() {
        let count = 3000
        let text = String(repeating: "```bash {id=same}\ntrue\n```\n\n", count: count)
        let findings = parse(text).diagnostics(rule: "duplicate-key")
        #expect(findings.count == 2 * (count - 1))
        #expect(findings.filter { $0.message.contains("already used") }.allSatisfy { $0.message.contains("at line 1;") })
    }

    @Test("the same name under different headings is not a duplicate")
    func sameNameDifferentSections() {
        let runbook = parse(
            """
            # Deploy
            ## Web
            ```bash {name=restart}
            true
            ```
            ## Worker
            ```bash {name=restart}
            true
            ```
            """)
        #expect(runbook.steps.map(\.key) == ["deploy/web/restart", "deploy/worker/restart"])
        expectNone(runbook, "duplicate-key")
        expectNone(runbook, "unstable-key")
    }
}
