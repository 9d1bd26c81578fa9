import Testing

@testable import RunbookKit

/// Journal records for a run of `deploy` (keys a, b, c, gone) as a crash left them.
private func records(_ body: [JournalRecord]) -> [JournalRecord] {
    var start = JournalRecord(type: .runStart)
    start.runId = "r1"
    start.runbook = RunbookRef(path: "d.md", realpath: "/d.md", sha256: "old", bytes: 1, snapshot: "runbook.md")
    start.bootId = "boot"
    return [start] + body
}

private func stepStart(_ key: String, sha: String?, attempt: Int = 1) -> JournalRecord {
    var r = JournalRecord(type: .stepStart)
    r.key = key
    r.codeSHA256 = sha
    r.attempt = attempt
    return r
}

private func spawned(_ key: String, pid: Int32) -> JournalRecord {
    var r = JournalRecord(type: .stepSpawned)
    r.key = key
    r.pid = pid
    r.starttime = 9
    return r
}

private func stepEnd(_ key: String, _ status: String, exports: [ExportedVariable]? = nil) -> JournalRecord {
    var r = JournalRecord(type: .stepEnd)
    r.key = key
    r.status = status
    r.exports = exports
    return r
}

@Suite("Resume plan")
struct ResumePlanTests {
    let runbook = parse(
        """
        ```bash {id=a}
        echo a
        ```

        ```bash {id=b}
        echo b changed
        ```

        ```bash {id=c idempotent}
        echo c
        ```

        ```bash {id=d}
        echo d
        ```

        ```bash {id=e}
        echo e
        ```
        """)

    private func plan(_ body: [JournalRecord], running: Set<Int32> = []) throws -> ResumePlan {
        let history = try RunHistory(records: records(body))
        return ResumePlan(history: history, runbook: runbook, liveness: ScriptedLiveness(running: running))
    }

    @Test("finished steps are done, changed code needs a decision, unknown outcomes are flagged, by key")
    func decisions() throws {
        let a = try #require(runbook.step(key: "a")?.codeSHA256)
        let plan = try plan([
            stepStart("a", sha: a), stepEnd("a", "ok"),
            stepStart("b", sha: "recorded-b"), stepEnd("b", "ok"),
            stepStart("c", sha: nil), spawned("c", pid: 11),
            stepStart("d", sha: nil, attempt: 2), stepEnd("d", "failed"),
            stepStart("gone", sha: "x"), stepEnd("gone", "ok"),
        ])
        #expect(plan.runbookChanged)
        #expect(plan.removedKeys == ["gone"])
        let decisions = plan.steps.map { "\($0.key): \($0.decision)" }
        #expect(
            decisions == [
                "a: done(status: \"ok\")",
                "b: changed(status: \"ok\", recordedSHA256: \"recorded-b\", currentSHA256: Optional(\"\(try #require(runbook.step(key: "b")?.codeSHA256))\"))",
                "c: unknown(idempotent: true)",
                "d: run",
            ])
        #expect(plan.step(4)?.attempts == 2)
        #expect(plan.step(5) == nil, "a step the journal never saw has no plan: it simply runs")
    }

    @Test("a step whose recorded process is still alive stops the resume")
    func stillRunning() throws {
        let plan = try plan([stepStart("a", sha: nil), spawned("a", pid: 77)], running: [77])
        #expect(plan.steps.first?.decision == .stillRunning(pid: 77))
        let dead = try self.plan([stepStart("a", sha: nil), spawned("a", pid: 77)], running: [])
        #expect(dead.steps.first?.decision == .unknown(idempotent: false))
    }

    @Test("exports of finished steps come back in journal order; secret ones are reported lost")
    func exports() throws {
        let plan = try plan([
            stepStart("a", sha: nil),
            stepEnd(
                "a", "ok",
                exports: [
                    ExportedVariable(name: "TAG", value: "v1", secret: false),
                    ExportedVariable(name: "TOKEN", value: nil, secret: true),
                ]),
            stepStart("b", sha: nil),
            stepEnd("b", "ok", exports: [ExportedVariable(name: "TAG", value: "v2", secret: false)]),
            stepStart("c", sha: nil), stepEnd("c", "failed", exports: [ExportedVariable(name: "NOPE", value: "x", secret: false)]),
        ])
        #expect(plan.carried == ["TAG": "v2"])
        #expect(plan.lostSecrets == ["TOKEN"])
    }
}
