import Foundation
import Testing

@testable import RunbookKit

/// A runbook at a fixed path (the journal records the path, so the golden journal can too).
private func writeRunbook(_ text: String, name: String) throws -> (path: String, runbook: Runbook) {
    let folder = "/tmp/runbook-unit-fixtures"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let path = folder + "/" + name
    // Written atomically and only when it differs: parallel tests read the same file.
    if FileManager.default.contents(atPath: path) != Data(text.utf8) {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
    return (path, try RunbookParser.parse(path: path))
}

private let deploy = """
    # Deploy

    ## Build

    ```bash {id=build}
    make image
    ```

    ## Migrate

    ```bash {id=migrate retries=1 retry-delay=0s}
    ./manage.py migrate
    ```

    - [ ] Tell the team in #deploys {id=announce}
    """

@Suite("Run session (test context)", .serialized, .temporaryStateDirectory)
struct SessionTests {
    /// Runs `deploy` with `answers` through the session, with scripted processes.
    private func run(_ answers: [String], exitCodes: [String: [Int32]] = ["migrate": [1]]) throws -> (TestContext, RunOutcome, ScriptedLauncher) {
        let (path, runbook) = try writeRunbook(deploy, name: "deploy.md")
        let test = TestContext(answers: answers)
        let launcher = ScriptedLauncher(exitCodes: exitCodes)
        let outcome = RunLauncher(context: test.context, liveness: ScriptedLiveness(), launcher: launcher)
            .run(RunRequest(runbookPath: path), runbook: runbook)
        return (test, outcome, launcher)
    }

    @Test("two runs with the same answers and clock write byte-identical journals")
    func reproducible() throws {
        #expect(TemporaryStateDirectory.current != nil, "the suite's trait gives each test its own folder")
        let answers = ["r", "n checked the logs first", "r", "d"]
        let (first, firstOutcome, _) = try run(answers)
        let (second, secondOutcome, _) = try run(answers)
        #expect(firstOutcome == .completed)
        #expect(secondOutcome == .completed)
        let a = String(decoding: try first.journalBytes(), as: UTF8.self)
        let b = String(decoding: try second.journalBytes(), as: UTF8.self)
        #expect(a.split(separator: "\n").count == 15)
        #expect(a == b)
    }

    @Test("the journal of a scripted run is exactly the recorded one")
    func exactJournal() throws {
        let (test, outcome, launcher) = try run(["r", "n checked the logs first", "r", "d"])
        #expect(outcome == .completed)
        // migrate failed once and was retried automatically (retries=1): three launches in all.
        #expect(launcher.launches.map { $0.environment["RUNBOOK_STEP_KEY"] ?? "" } == ["build", "migrate", "migrate"])
        try GoldenTests.assertGolden(String(decoding: try test.journalBytes(), as: UTF8.self), named: "session-journal.golden")
        #expect(test.screen.contains("retrying in 0ms (1 of 1;"))
        #expect(test.screen.contains("Run completed (1 done, 2 ok)"), "each step counted once, by its final outcome")
    }

    @Test("quit pauses; the run is resumable and resumes where it stopped")
    func pauseAndResume() throws {
        let (first, outcome, _) = try run(["r", "q"], exitCodes: [:])
        #expect(outcome == .paused)
        let records = try first.journal()
        #expect(records.last?.type == .decision && records.last?.choice == "pause" && records.last?.key == "migrate")
        #expect(!records.contains { $0.type == .runEnd })

        // The same state directory, a new operator session.
        let second = TestContext(answers: ["r", "d"])
        let resumed = RunbookContext(
            output: second.output, errorOutput: second.errorOutput, input: second.input, terminal: second.context.terminal,
            signals: second.context.signals, clock: second.clock, runIds: second.context.runIds, user: "second", host: "ops-2",
            pid: 4343, bootId: "test-boot", environment: second.context.environment, stateDirectory: first.context.stateDirectory)
        let launcher = ScriptedLauncher()
        let runLauncher = RunLauncher(context: resumed, liveness: ScriptedLiveness(), launcher: launcher)
        let ticket = try runLauncher.prepareResume("20261201T090000Z-0000beef").get()
        let (_, runbook) = try writeRunbook(deploy, name: "deploy.md")
        let end = runLauncher.resume(ticket, request: RunRequest(runbookPath: ticket.runbookPath), runbook: runbook)
        #expect(end == .completed)
        // build finished before the pause: only migrate ran again.
        #expect(launcher.launches.map { $0.environment["RUNBOOK_STEP_KEY"] ?? "" } == ["migrate"])
        let after = try first.journal()
        #expect(after.contains { $0.type == .note && $0.text == "resumed by second@ops-2 (pid 4343)" })
        #expect(after.last?.type == .runEnd && after.last?.status == "completed")
        #expect(second.screen.contains("✔ step 1/3 [build] ok earlier in this run"))
    }

    @Test("end of input pauses at the prompt; a missing param without a value is refused before anything is recorded")
    func endOfInputAndRefusal() throws {
        let (test, outcome, launcher) = try run([])
        #expect(outcome == .paused)
        #expect(launcher.launches.isEmpty)
        #expect(try test.journal().last?.reason == "end of input")

        let (path, runbook) = try writeRunbook("---\nparams:\n  TAG:\n    required: true\n---\n```bash {id=a}\necho $TAG\n```\n", name: "tag.md")
        let refused = TestContext(answers: [])
        var request = RunRequest(runbookPath: path)
        request.assumeYes = true
        let result = RunLauncher(context: refused.context, liveness: ScriptedLiveness(), launcher: ScriptedLauncher()).run(request, runbook: runbook)
        #expect(result == .refused)
        #expect(refused.errorOutput.text.contains("param 'TAG' (\(path):3) has no value; pass --set TAG=VALUE or export TAG"))
        #expect(!FileManager.default.fileExists(atPath: refused.state + "/runs/20261201T090000Z-0000beef"))
    }

    @Test("a failed step under --yes aborts the run and records why")
    func abortUnderYes() throws {
        let (path, runbook) = try writeRunbook(deploy, name: "deploy.md")
        let test = TestContext(answers: [])
        var request = RunRequest(runbookPath: path)
        request.assumeYes = true
        let outcome = RunLauncher(context: test.context, liveness: ScriptedLiveness(), launcher: ScriptedLauncher(exitCodes: ["migrate": [1, 2]]))
            .run(request, runbook: runbook)
        #expect(outcome == .aborted)
        let records = try test.journal()
        #expect(records.contains { $0.type == .decision && $0.choice == "abort" && $0.reason == "step failed under --yes" })
        #expect(records.last?.type == .runEnd && records.last?.status == "aborted" && records.last?.exitStatus == 1)
    }

    @Test("resume verifies the journal once, under the lock: a journal swapped for another run's after the lock was taken is refused, untouched")
    func journalSwappedUnderTheLock() throws {
        let (paused, outcome, _) = try run(["r", "q"], exitCodes: [:])
        #expect(outcome == .paused)
        // Another run, of another runbook, also paused: a journal whose chain holds on its own.
        let (otherPath, other) = try writeRunbook("# Other\n\n```bash {id=one}\ntrue\n```\n\n```bash {id=two}\ntrue\n```\n", name: "other.md")
        let elsewhere = TestContext(answers: ["r", "q"], runId: "20261201T090000Z-0000cafe")
        let otherOutcome = RunLauncher(context: elsewhere.context, liveness: ScriptedLiveness(), launcher: ScriptedLauncher())
            .run(RunRequest(runbookPath: otherPath), runbook: other)
        #expect(otherOutcome == .paused)
        let swapped = try elsewhere.journalBytes()
        let original = try paused.journalBytes()
        let journal = paused.state + "/runs/20261201T090000Z-0000beef/journal.jsonl"

        let second = TestContext(answers: ["r", "d"])
        let resumed = RunbookContext(
            output: second.output, errorOutput: second.errorOutput, input: second.input, terminal: second.context.terminal,
            signals: second.context.signals, clock: second.clock, runIds: second.context.runIds, user: "second", host: "ops-2",
            pid: 4343, bootId: "test-boot", environment: second.context.environment, stateDirectory: paused.context.stateDirectory)
        let launcher = RunLauncher(context: resumed, liveness: ScriptedLiveness(), launcher: ScriptedLauncher())
        // The lock is taken for deploy.md, named by the journal's first line; then the file changes.
        let result = launcher.prepareResume("20261201T090000Z-0000beef") {
            _ = FileManager.default.createFile(atPath: journal, contents: Data(swapped))
        }
        guard case .failure(let refusal) = result else {
            Issue.record("a journal changed between the first read and the verification under the lock was resumed")
            return
        }
        #expect(refusal == .damagedJournal)
        #expect(
            second.errorOutput.text.contains(
                "journal.jsonl: the journal changed while resume opened it (its first record now names run 20261201T090000Z-0000cafe of \(otherPath), not run 20261201T090000Z-0000beef of /tmp/runbook-unit-fixtures/deploy.md); nothing was changed"
            ))
        #expect(FileManager.default.contents(atPath: journal) == Data(swapped), "nothing was appended to the journal")
        // Put back, the run resumes: the refusal gave the lock back.
        _ = FileManager.default.createFile(atPath: journal, contents: Data(original))
        let ticket = try launcher.prepareResume("20261201T090000Z-0000beef").get()
        #expect(ticket.history.runId == "20261201T090000Z-0000beef" && ticket.verification.recordCount == original.split(separator: 0x0A).count)
    }
}
