#if canImport(Glibc)
    import Glibc
#endif

extension RunPlan {
    /// Problems that would stop a step from starting, found before anything runs: a missing
    /// interpreter, an interactive step without a terminal (`hasTerminal`: standard input and
    /// output are both terminals), a `dir=` that does not exist. One line each, naming file and line.
    public func preflight(hasTerminal: Bool) -> [String] {
        var problems: [String] = []
        let path = baseEnvironment["PATH"]
        var reportedInterpreters = Set<String>()
        // Each interpreter is looked up once, however many steps use it.
        let executables = ExecutableCache()
        // Only what is known before the run: params and front matter env (exports come later).
        let known = environmentBeforeSteps
        for step in runbook.steps where step.kind == .code && !step.attributes.skip {
            let place = "\(runbook.path):\(step.line)"
            if let interpreter = step.interpreter, executables.find(interpreter, path: path) == nil, !reportedInterpreters.contains(interpreter) {
                reportedInterpreters.insert(interpreter)
                problems.append("\(place): step '\(step.key)' needs '\(interpreter)', which is not on PATH; install it or change the block's language")
            }
            if step.attributes.interactive && !hasTerminal {
                problems.append(
                    "\(place): step '\(step.key)' is interactive and needs a terminal, but standard input or output is not one; run it from a terminal")
            }
            if let problem = missingDirectory(step, known: known) {
                problems.append("\(place): step '\(step.key)' runs in '\(problem)', which does not exist; create it or fix dir=")
            }
        }
        return problems
    }

    /// The step's folder when it is known before the run and does not exist.
    private func missingDirectory(_ step: Step, known: [String: String]) -> String? {
        guard let raw = step.attributes.dir ?? runbook.defaults.dir else { return nil }
        // A folder named from a variable an earlier step exports is checked when the step starts.
        let referencesLater = raw.contains("$") && expandVariables(raw, known) != expandVariables(raw, known.merging(["__probe": ""]) { a, _ in a })
        guard !referencesLater else { return nil }
        let dir = directory(for: step, env: known) ?? raw
        return isDirectory(dir) ? nil : dir
    }
}

/// Whether `path` is a folder (following symlinks).
func isDirectory(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
}
