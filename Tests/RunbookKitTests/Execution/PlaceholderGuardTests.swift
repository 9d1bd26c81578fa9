import Foundation
import Testing

@testable import RunbookKit

/// The last line of defence: whatever the launcher asked, a step holding a placeholder without a value
/// never reaches a process.
@Suite("a step with an unfilled placeholder never runs", .temporaryStateDirectory)
struct PlaceholderGuardTests {
    @Test("the run pauses at the step, naming it, the placeholder and where; the records before it stay")
    func pausesAtTheStep() throws {
        let folder = TemporaryStateDirectory.current ?? NSTemporaryDirectory()
        let path = folder + "/guard.md"
        try Data("# G\n\n```bash {id=fine}\ntrue\n```\n\n```bash {id=held}\necho <namespace>\n```\n".utf8).write(to: URL(fileURLWithPath: path))
        let runbook = try RunbookParser.parse(path: path)
        let test = TestContext(answers: ["r", "r"])
        // A plan with no placeholder values, as if the launcher had not asked for this step's.
        let plan = RunPlan(runbook: runbook, path: path, params: [], environment: test.context.environment)
        let runId = "20261202T010000Z-0000guard"
        var start = JournalRecord(type: .runStart)
        start.runId = runId
        start.totalSteps = runbook.steps.count
        try test.context.stateDirectory.prepare()
        let journal = try RunFolder.create(
            state: test.context.stateDirectory, runId: runId, runbookBytes: runbook.rawBytes, runStart: start, clock: test.clock,
            failAtSeq: nil)
        let launcher = ScriptedLauncher()
        let outcome = RunSession.runInScratchFolder(
            context: test.context, plan: plan, request: RunRequest(runbookPath: path), runId: runId,
            runDir: test.context.stateDirectory.runDir(runId), journal: journal, console: Console(context: test.context), launcher: launcher,
            resume: nil)
        #expect(outcome == .paused)
        #expect(launcher.launches.map { $0.environment["RUNBOOK_STEP_KEY"] ?? "" } == ["fine"], "held never reached a process")
        let records = try test.journal()
        #expect(!records.contains { $0.key == "held" && $0.type == .stepStart })
        #expect(records.contains { $0.key == "fine" && $0.type == .stepEnd && $0.status == "ok" })
        #expect(records.last?.type == .decision && records.last?.choice == "pause" && records.last?.key == "held")
        #expect(records.last?.reason == "placeholder <namespace> has no value")
        #expect(
            test.errorOutput.text.contains(
                "step 'held' (\(path):8:6) holds placeholder '<namespace>' with no value, so it did not run; resume with --set NAMESPACE=VALUE"),
            "\(test.errorOutput.text)")
    }
}
