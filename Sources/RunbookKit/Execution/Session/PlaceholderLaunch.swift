extension RunLauncher {
    /// Values for the undeclared placeholders of the steps this run reaches: from `--set`, the run
    /// being resumed, or one question each (never under `--yes`). A rehearsal asks the same questions.
    func resolvePlaceholders(
        _ request: RunRequest, runbook: Runbook, recorded: [ParamValue], finished: Set<String> = [], console: Console
    ) throws(ParamError) -> PlaceholderValues {
        // A resume asks only for what the steps it will run hold (`finished`: done, same code).
        let steps = PlaceholderResolver.stepsToRun(runbook, from: request.from, only: request.only, holdingPlaceholders: true)
            .filter { !finished.contains($0.key) }
        let names = PlaceholderResolver.names(runbook).subtracting(runbook.params.map(\.name))
        let values = try PlaceholderResolver.resolve(
            steps, sets: request.sets.filter { names.contains($0.0) }, recorded: recorded, environment: context.environment,
            prompt: request.assumeYes ? nil : { console.value(for: $0, steps: steps) }, path: runbook.path)
        // Said, and recorded (source `unset`): nothing is left out silently.
        for value in values.values where value.source == "unset" {
            let question = PlaceholderResolver.questions(steps, path: runbook.path, environment: context.environment).questions.first {
                $0.name == value.name
            }
            context.errorOutput.write(
                messageLines(
                    "runbook: warning: ",
                    "'${\(value.name)}' (\(question?.position ?? runbook.path)) is set by nothing and was given no value: the shell reads it as empty. Declare a param \(value.name), or pass --set \(value.name)=VALUE",
                    width: context.terminal.errorWidth()))
        }
        return values
    }
}
