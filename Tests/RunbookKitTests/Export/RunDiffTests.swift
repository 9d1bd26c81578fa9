import Foundation
import Testing

@testable import RunbookKit

@Suite("Run diff", .temporaryStateDirectory)
struct RunDiffTests {
    private let before = "# R\n\n```bash {id=a}\necho a\n```\n\n```bash {id=b}\ntest -f ready\n```\n\n```bash {id=gone}\necho old\n```\n"
    private let after = "# R\n\n```bash {id=a}\necho a\n```\n\n```bash {id=b}\ntest -f ready || true\n```\n\n```bash {id=new}\necho new\n```\n"

    @Test("steps are matched by key: outcome, attempts, duration and code changes; steps only in one run")
    func compare() throws {
        let rehearsal = try RunFixture(runbook: before, mode: "rehearsal", runId: "20261201T090000Z-0000aaaa")
        try rehearsal.attempt("a", number: 1, status: "rehearsed", durationMs: 10)
        try rehearsal.attempt("b", number: 2, status: "failed", exit: 1, durationMs: 10)
        try rehearsal.attempt("gone", number: 3, status: "rehearsed", durationMs: 10)
        try rehearsal.end("completed_with_failures", exit: 1)
        let live = try RunFixture(runbook: after, runId: "20261202T090000Z-0000bbbb")
        try live.attempt("a", number: 1, status: "ok", exit: 0, durationMs: 12)
        try live.attempt("b", number: 2, status: "failed", exit: 1, durationMs: 100)
        try live.attempt("b", number: 2, attempt: 2, status: "ok", exit: 0, durationMs: 5_000)
        try live.attempt("new", number: 3, status: "ok", exit: 0, durationMs: 12)
        try live.end("completed", exit: 0)
        let diff = RunDiff(a: try rehearsal.load(), b: try live.load())
        #expect(!diff.sameRunbook)
        #expect(diff.steps.map(\.key) == ["a", "b", "gone", "new"])
        let byKey = Dictionary(uniqueKeysWithValues: diff.steps.map { ($0.key, $0) })
        #expect(byKey["a"]?.changes == [], "rehearsed in A, ok in B: the same")
        #expect(byKey["b"]?.changes == ["outcome", "attempts", "exit_code", "duration", "code"])
        #expect(byKey["b"]?.codeDiff == ["-test -f ready", "+test -f ready || true"])
        #expect(byKey["b"]?.durationDeltaMs == 5_090)
        #expect(byKey["gone"]?.changes == ["only_in_a"])
        #expect(byKey["new"]?.changes == ["only_in_b"])
        #expect(diff.differing == 3)
        let text = diff.text(style: .plain)
        #expect(text.contains("A 20261201T090000Z-0000aaaa  REHEARSAL  completed_with_failures"))
        #expect(text.contains("the runbook changed between the runs: 1 step's code changed, 1 only in B, 1 only in A"))
        #expect(text.contains("\ncode of b, from A's runbook to B's:\n  -test -f ready\n  +test -f ready || true\n"))
        let json = try encodeJSON(diff)
        #expect(json.contains("\"format\" : \"runbook-diff\""))
    }

    @Test("removed keys stay next to the key they followed")
    func order() {
        #expect(RunDiff.mergedKeys(["x", "a", "r1", "r2", "b"], ["a", "n", "b"]) == ["x", "a", "r1", "r2", "n", "b"])
        #expect(RunDiff.mergedKeys([], ["a"]) == ["a"])
    }
}
