import Foundation

/// A runbook made ready to run on this machine: its params resolved, the environment and folder
/// each step gets, the command that runs it, and the problems found before anything runs.
///
/// Built once per run (live or resumed); pure apart from looking at the file system.
public struct RunPlan: Sendable {
    /// The runbook as parsed when the run started (a run keeps it even if the file changes).
    public let runbook: Runbook
    /// The runbook's path as given on the command line.
    public let runbookPath: String
    /// The runbook's path with symlinks resolved (the lock's key).
    public let runbookRealpath: String
    /// The folder of the runbook: `RUNBOOK_DIR`, and the base of relative `dir=` values.
    public let runbookFolder: String
    /// Param values for this run, in declaration order.
    public let params: [ResolvedParam]
    /// The environment the runner was started with (steps inherit it).
    public let baseEnvironment: [String: String]
    /// Values for the undeclared placeholders of the steps that run (one per name).
    public var placeholderValues = PlaceholderValues()

    /// Names of the secret params, and of the variables that carry secret-looking placeholder values.
    public var secretNames: Set<String> {
        Set(params.filter { $0.param.secret }.map(\.param.name)).union(placeholderValues.environment.keys)
    }
    /// Values of the secret params (masked in every record).
    public var secretValues: [String] { params.filter { $0.param.secret }.map(\.value) + placeholderValues.secretValues }

    /// A plan for `runbook`, read from `path`, with resolved `params`, on a runner whose environment is `environment`.
    public init(runbook: Runbook, path: String, params: [ResolvedParam], environment: [String: String]) {
        self.runbook = runbook
        runbookPath = path
        runbookRealpath = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        let folder = (URL(fileURLWithPath: path).standardizedFileURL.path as NSString).deletingLastPathComponent
        runbookFolder = folder.isEmpty ? "." : folder
        self.params = params
        baseEnvironment = environment
    }

    /// What is known before any step runs: the runner's environment, the front matter's `env`, the params.
    public var environmentBeforeSteps: [String: String] {
        var env = baseEnvironment
        for variable in runbook.defaults.env { env[variable.name] = expandVariables(variable.value, env) }
        for p in params { env[p.param.name] = p.value }
        return env
    }

    /// The environment `step` runs with: the runner's, the front matter's `env`, the params, what
    /// earlier steps exported (`carried`), the step's own `env=`, and runbook's `RUNBOOK_*` variables.
    public func environment(for step: Step, runId: String, carried: [String: String]) -> [String: String] {
        var env = environmentBeforeSteps
        for (name, value) in carried { env[name] = value }
        for variable in step.attributes.env { env[variable.name] = expandVariables(variable.value, env) }
        for (name, value) in placeholderValues.environment { env[name] = value }
        env["RUNBOOK_RUN_ID"] = runId
        env["RUNBOOK_STEP_KEY"] = step.key
        env["RUNBOOK_STEP_NUMBER"] = String(step.number)
        env["RUNBOOK_FILE"] = runbook.path
        env["RUNBOOK_DIR"] = runbookFolder
        env.removeValue(forKey: StepCommand.envFileVariable)
        return env
    }

    /// The folder `step` runs in (its `dir=`, else the front matter's), `$NAME` expanded from `env`
    /// and relative to the runbook's folder; nil for the runner's own folder.
    public func directory(for step: Step, env: [String: String]) -> String? {
        guard let raw = step.attributes.dir ?? runbook.defaults.dir else { return nil }
        let expanded = expandVariables(raw, env)
        return expanded.hasPrefix("/") ? expanded : runbookFolder + "/" + expanded
    }

    /// Seconds `step` may run: its `timeout=`, else the front matter's; nil for no limit.
    public func timeout(for step: Step) -> Double? {
        (step.attributes.timeout ?? runbook.defaults.timeout)?.seconds
    }

    /// The timeout as written, for messages.
    public func timeoutText(for step: Step) -> String {
        (step.attributes.timeout ?? runbook.defaults.timeout)?.display ?? "?"
    }
}
