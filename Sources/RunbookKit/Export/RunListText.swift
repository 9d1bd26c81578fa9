/// The human form of `runbook runs`: one line per run, oldest first.
public enum RunListText {
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
