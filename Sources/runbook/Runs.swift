import ArgumentParser
import Foundation
import RunbookKit

/// One run as listed by `runbook runs`.
struct RunSummary: Encodable {
    var runId: String
    var dir: String
    var runbook: String
    var runbookRealpath: String
    var started: String
    var operatorName: String
    var incident: String?
    var ended: String?
    /// completed, aborted, paused (resumable), or damaged.
    var state: String
    var stepsRecorded: Int
    var totalSteps: Int

    enum CodingKeys: String, CodingKey {
        case runId = "run_id", dir, runbook, runbookRealpath = "realpath", started, operatorName = "operator", incident, ended
        case state, stepsRecorded = "steps_recorded", totalSteps = "total_steps"
    }

    /// Every run under the state directory, oldest first.
    static func list(state: StateDirectory) -> [RunSummary] {
        // `.new-*` folders are runs still being created (or whose creation crashed): not runs yet.
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: state.runsDir)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        var out: [RunSummary] = []
        for name in names {
            let dir = state.runDir(name)
            guard let verification = try? JournalVerifier.verify(path: dir + "/journal.jsonl"),
                  let history = try? RunHistory(records: verification.records) else { continue }
            let start = history.runStart
            let finished = history.steps.values.filter { if case .completed = $0.state { return true }; return false }.count
            var state = history.runEnd?.status ?? "paused"
            if verification.problem != nil { state = "damaged" }
            out.append(RunSummary(runId: history.runId, dir: dir, runbook: start.runbook?.path ?? "?",
                                  runbookRealpath: start.runbook?.realpath ?? "", started: start.ts,
                                  operatorName: "\(start.operatorName ?? "?")@\(start.host ?? "?")", incident: start.incident,
                                  ended: history.runEnd?.ts, state: state, stepsRecorded: finished, totalSteps: start.totalSteps ?? 0))
        }
        return out
    }
}

struct Runs: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the runs under the state directory, newest last, with their state.",
        discussion: """
        A run is completed, aborted, paused (resumable with 'runbook resume'), or damaged \
        (its journal fails verification).

        Examples:
          $ runbook runs
          $ runbook runs --json | jq -r '.[] | select(.state == "paused") | .run_id'
        """
    )

    @Option(help: ArgumentHelp("Where runs are kept.", valueName: "DIR"), completion: .directory)
    var stateDir: String?

    @Flag(help: "Print the runs as JSON.")
    var json = false

    func run() throws {
        let state: StateDirectory
        do {
            state = try StateDirectory.resolve(explicit: stateDir, environment: processEnvironment())
        } catch {
            writeStderr("runbook: error: \(error.message)\n")
            throw ExitCode(ExitStatus.badInput.rawValue)
        }
        let runs = RunSummary.list(state: state)
        if json {
            writeStdout(try encodeJSON(runs) + "\n")
            return
        }
        if runs.isEmpty {
            writeStdout("no runs under \(state.runsDir)\n")
            return
        }
        for run in runs {
            var line = "\(run.runId)  \(run.state.padding(toLength: 9, withPad: " ", startingAt: 0))  \(run.stepsRecorded)/\(run.totalSteps) steps  \(run.runbook)  \(run.operatorName)"
            if let incident = run.incident { line += "  \(incident)" }
            writeStdout(line + "\n")
        }
    }
}
