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
        return ResumePlan(history: history, recorded: nil, runbook: runbook, liveness: ScriptedLiveness(running: running))
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
        #expect(plan.sameRunbook, "4 of 5 recorded steps are still there")
        #expect(plan.removed == [ResumePlan.Removed(key: "gone", finished: "ok", unknown: false)])
        let b = try #require(runbook.step(key: "b")?.codeSHA256)
        #expect(
            plan.steps.map(\.decision) == [
                .done(status: "ok"),
                .changed(status: "ok", change: ResumePlan.CodeChange(recordedSHA256: "recorded-b", currentSHA256: b, recordedCode: nil)),
                .unknown(idempotent: true, change: nil, evidence: ResumePlan.Evidence(key: "c", started: "", lastHeard: "", outputFile: "out/0.log", pid: 11)),
                .run,
                .added,
            ])
        #expect(plan.step(4)?.attempts == 2)
        #expect(plan.step(1)?.key == "a" && plan.step(5)?.key == "e")
        #expect(plan.step(0) == nil && plan.step(6) == nil && plan.step(-1) == nil)
    }

    @Test("a renamed heading: finished steps are suggested by code, never by position; an inserted identical block is added")
    func renamedAndOrdinal() throws {
        let drain = { (heading: String) in
            parse("# R\n\n## \(heading)\n\n```bash {name=stop}\nstop\n```\n\n```bash {name=wait}\nwait\n```\n\n```bash {name=start}\nstart\n```\n")
        }
        let then = drain("Drain")
        let history = try RunHistory(
            records: records([
                stepStart("r/drain/stop", sha: then.step(key: "r/drain/stop")?.codeSHA256), stepEnd("r/drain/stop", "ok"),
                stepStart("r/drain/wait", sha: then.step(key: "r/drain/wait")?.codeSHA256), stepEnd("r/drain/wait", "ok"),
            ]))
        let renamed = ResumePlan(history: history, recorded: then, runbook: drain("Drain traffic"), liveness: ScriptedLiveness())
        #expect(
            renamed.steps.map(\.decision) == [
                .renamed(from: "r/drain/stop", finished: "ok"), .renamed(from: "r/drain/wait", finished: "ok"), .renamed(from: "r/drain/start", finished: nil),
            ])
        #expect(renamed.removed.isEmpty && renamed.sameRunbook)

        let block = { (text: String) in "```bash\n\(text)\n```\n\n" }
        let before = parse("# O\n\n" + block("same") + block("same") + block("c"))
        let keys = before.steps.map(\.key)
        let ran = try RunHistory(
            records: records([
                stepStart(keys[0], sha: before.steps[0].codeSHA256), stepEnd(keys[0], "ok"),
                stepStart(keys[1], sha: before.steps[1].codeSHA256), stepEnd(keys[1], "ok"),
            ]))
        let inserted = ResumePlan(
            history: ran, recorded: before, runbook: parse("# O\n\n" + block("same") + block("same") + block("same") + block("c")),
            liveness: ScriptedLiveness())
        #expect(inserted.steps.map(\.decision) == [.done(status: "ok"), .done(status: "ok"), .added, .renamed(from: keys[2], finished: nil)])
    }

    @Test("a run's copy with the bytes of the runbook now is matched step to step, as the copy parsed apart would be")
    func sameBytesAsTheCopy() throws {
        let text = """
            # Same

            ```bash {id=a}
            echo a
            ```

            ```bash
            echo ordinal
            ```

            ```bash {id=b}
            echo b
            ```

            - [ ] tell the channel

            ```bash {id=c idempotent}
            echo c
            ```
            """
        let runbook = parse(text)
        let keys = runbook.steps.map(\.key)
        let history = try RunHistory(
            records: records([
                stepStart("a", sha: runbook.steps[0].codeSHA256), stepEnd("a", "ok"),
                stepStart(keys[1], sha: runbook.steps[1].codeSHA256), stepEnd(keys[1], "ok"),
                stepStart("b", sha: "edited in the run"), stepEnd("b", "ok"),
                stepStart(keys[3], sha: nil), stepEnd(keys[3], "done"),
                stepStart("c", sha: runbook.steps[4].codeSHA256), spawned("c", pid: 12),
            ]))
        let same = ResumePlan(history: history, recordedSteps: RecordedRunbook(sameAs: runbook), runbook: runbook, liveness: ScriptedLiveness())
        let apart = ResumePlan(history: history, recorded: parse(text), runbook: runbook, liveness: ScriptedLiveness())
        #expect(same.steps.map(\.decision) == apart.steps.map(\.decision))
        #expect(same.steps.map(\.attempts) == apart.steps.map(\.attempts) && same.steps.map(\.key) == keys)
        #expect(same.removed == apart.removed && same.removed.isEmpty)
        #expect(same.identity == apart.identity && same.identity.hasPrefix("5 of 5 "))
        #expect(same.sameRunbook && apart.sameRunbook)
        let change = ResumePlan.CodeChange(recordedSHA256: "edited in the run", currentSHA256: runbook.steps[2].codeSHA256, recordedCode: "echo b\n")
        #expect(same.steps[2].decision == .changed(status: "ok", change: change), "the copy's code is the runbook's: \(same.steps[2].decision)")
        #expect(same.steps.map(\.decision).prefix(2) == [.done(status: "ok"), .done(status: "ok")])
    }

    @Test("renamed steps of the same code pair up in order, and a step of new code is added")
    func renamedInOrder() throws {
        let block = { (name: String, code: String) in "```bash {name=\(name)}\n\(code)\n```\n\n" }
        let then = parse("# R\n\n## Old\n\n" + block("x1", "echo same") + block("x2", "echo same") + block("y", "echo other"))
        let now = parse(
            "# R\n\n## New\n\n" + block("p", "echo same") + block("q", "echo other") + block("r", "echo same") + block("s", "echo new"))
        let history = try RunHistory(records: records(then.steps.flatMap { [stepStart($0.key, sha: $0.codeSHA256), stepEnd($0.key, "ok")] }))
        let plan = ResumePlan(history: history, recorded: then, runbook: now, liveness: ScriptedLiveness())
        #expect(
            plan.steps.map(\.decision) == [
                .renamed(from: "r/old/x1", finished: "ok"), .renamed(from: "r/old/y", finished: "ok"), .renamed(from: "r/old/x2", finished: "ok"), .added,
            ])
        #expect(plan.removed.isEmpty)
        #expect(plan.identity == "3 of 3 recorded steps are still there (by key, or by the same code)")
    }

    @Test("another runbook at the same path is not the same runbook: under half of the recorded steps remain")
    func identity() throws {
        let then = parse("# Deploy\n\n```bash {id=a}\na\n```\n\n```bash {id=b}\nb\n```\n\n```bash {id=c}\nc\n```\n")
        let history = try RunHistory(records: records([stepStart("a", sha: then.steps[0].codeSHA256), stepEnd("a", "ok")]))
        let other = ResumePlan(history: history, recorded: then, runbook: parse("# Other\n\n```bash {id=x}\nx\n```\n"), liveness: ScriptedLiveness())
        #expect(!other.sameRunbook)
        #expect(other.identity == "0 of 3 recorded steps are still there (by key, or by the same code)")
        let empty = ResumePlan(history: history, recorded: then, runbook: parse(""), liveness: ScriptedLiveness())
        #expect(!empty.sameRunbook)
        let edited = ResumePlan(
            history: history, recorded: then, runbook: parse("# Deploy\n\n```bash {id=a}\na\n```\n\n```bash {id=z}\nz\n```\n"),
            liveness: ScriptedLiveness())
        #expect(edited.sameRunbook, "same title and one step kept")
        #expect(edited.removed.map(\.key) == ["b", "c"])
    }

    @Test("a step whose recorded process is still alive stops the resume")
    func stillRunning() throws {
        let plan = try plan([stepStart("a", sha: nil), spawned("a", pid: 77)], running: [77])
        #expect(plan.steps.first?.decision == .stillRunning(pid: 77))
        let dead = try self.plan([stepStart("a", sha: nil), spawned("a", pid: 77)], running: [])
        #expect(
            dead.steps.first?.decision
                == .unknown(
                    idempotent: false, change: nil, evidence: ResumePlan.Evidence(key: "a", started: "", lastHeard: "", outputFile: "out/0.log", pid: 77)))
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
