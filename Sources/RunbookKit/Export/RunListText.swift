/// The human form of `runbook runs`: one line per run, oldest first.
public enum RunListText {
    /// What `runbook resume` without a run says: the unfinished runs, each with the command that
    /// resumes it (with `--state-dir` when `environment` alone would not find `state`).
    public static func resumable(_ runs: [RunSummary], state: StateDirectory, environment: [String: String]) -> String {
        let open = runs.filter { $0.ended == nil && $0.state != "damaged" && $0.state != "running" }
        guard !open.isEmpty else {
            return
                "name the run to resume; there is no unfinished run under \(state.runsDir) ('\(state.command("runbook runs", environment: environment))' lists them all)"
        }
        var out = "name the run to resume (a run id, its folder, or its runbook file for the latest one); unfinished runs:"
        for run in open {
            out +=
                "\n  \(state.command("runbook resume \(run.runId)", environment: environment))    # \(run.state)\(run.unknownStep.map { " at \($0)" } ?? ""), \(run.stepsRecorded)/\(run.totalSteps) steps, \(run.runbook), started \(run.started)"
        }
        return out
    }

    /// `<run id>  <state>  <finished>/<total> steps  <runbook>  <operator>  [<incident>]`, or a line
    /// saying there are none.
    public static func render(_ runs: [RunSummary], state: StateDirectory) -> String {
        if runs.isEmpty { return "no runs under \(state.runsDir)\n" }
        var out = ""
        for run in runs {
            var state = run.state
            if let pid = run.pid { state += " (pid \(pid))" }
            if let step = run.unknownStep { state += " (at \(step))" }
            let padded = state.count >= 11 ? state : state + String(repeating: " ", count: 11 - state.count)
            var line = "\(run.runId)  \(padded)  \(run.stepsRecorded)/\(run.totalSteps) steps  started \(run.started)  \(run.runbook)  \(run.operatorName)"
            if let incident = run.incident { line += "  \(incident)" }
            out += line + "\n"
        }
        return out
    }
}
