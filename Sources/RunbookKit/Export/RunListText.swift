/// The human form of `runbook runs`: one line per run, oldest first.
public enum RunListText {
    /// `<run id>  <state>  <finished>/<total> steps  <runbook>  <operator>  [<incident>]`, or a line
    /// saying there are none.
    public static func render(_ runs: [RunSummary], state: StateDirectory) -> String {
        if runs.isEmpty { return "no runs under \(state.runsDir)\n" }
        var out = ""
        for run in runs {
            let padded = run.state.count >= 9 ? run.state : run.state + String(repeating: " ", count: 9 - run.state.count)
            var line = "\(run.runId)  \(padded)  \(run.stepsRecorded)/\(run.totalSteps) steps  \(run.runbook)  \(run.operatorName)"
            if let incident = run.incident { line += "  \(incident)" }
            out += line + "\n"
        }
        return out
    }
}
