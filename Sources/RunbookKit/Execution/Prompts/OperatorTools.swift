#if canImport(Glibc)
    import Glibc
#endif

/// The operator's own tools during a run: the editor for a step's code, a shell after a failure.
struct OperatorTools {
    let console: Console
    let environment: [String: String]
    let scratchDir: String

    /// Opens `code` in `$VISUAL`/`$EDITOR` (else vi) and returns the edited text; nil when the
    /// editor is missing, the file cannot be read back, or nothing changed.
    func edit(_ code: String, step: Step) throws(StorageError) -> String? {
        let file = "\(scratchDir)/edit-\(step.number).\(StepCommand.fileExtension(step.language ?? ""))"
        unlink(file)
        try writePrivateFile(file, Array(code.utf8))
        let editor = environment["VISUAL"] ?? environment["EDITOR"] ?? "vi"
        let parts = editor.split(separator: " ").map(String.init)
        guard let program = parts.first, let executable = findExecutable(program, path: environment["PATH"]) else {
            console.print(console.style.red("editor '\(editor)' not found; set EDITOR") + "\n")
            return nil
        }
        _ = runForeground(executable, parts + [file], env: environment, dir: nil, signals: console.signals)
        guard case .bytes(let bytes)? = try? readRegularFile(file, limit: 16 * 1024 * 1024) else { return nil }
        let newCode = String(decoding: bytes, as: UTF8.self)
        unlink(file)
        guard newCode != code else {
            console.print(console.style.dim("no change") + "\n")
            return nil
        }
        return newCode
    }

    /// Shows all of a step's code: in `$PAGER` (else `less`) when it is found, else here a
    /// window's height at a time.
    func page(_ code: String, step: Step) {
        let pager = environment["PAGER"].flatMap { $0.isEmpty ? nil : $0 } ?? "less"
        let parts = pager.split(separator: " ").map(String.init)
        if let program = parts.first, let executable = findExecutable(program, path: environment["PATH"]) {
            let file = "\(scratchDir)/view-\(step.number).\(StepCommand.fileExtension(step.language ?? ""))"
            if (try? overwriteScratchFile(file, Array(code.utf8))) != nil {
                _ = runForeground(executable, parts + [file], env: environment, dir: nil, signals: console.signals)
                unlink(file)
                return
            }
        }
        console.print(console.style.yellow("pager '\(pager)' not found; the code page by page here") + "\n")
        let lines = code.split(separator: "\n", omittingEmptySubsequences: false).dropLast(code.hasSuffix("\n") ? 1 : 0).map(String.init)
        let page = max(5, Int(console.terminal.size()?.rows ?? 24) - 2)
        var start = 0
        while start < lines.count {
            let end = min(lines.count, start + page)
            console.print(console.style.cyan(lines[start..<end].joined(separator: "\n")) + "\n")
            start = end
            guard start < lines.count else { break }
            let more = console.ask(
                console.style.bold("-- more: \(start) of \(lines.count) lines; space for the next page, q to stop -- "),
                keys: [" ", "\r", "\n", "q"], help: "  space  the next page\n  q      back to the question")
            guard case .key(let key, _) = more, key != "q" else { break }
        }
    }

    /// Opens `$SHELL` (else the runbook's shell) with the step's environment in its folder, and
    /// waits for the operator to leave it. Its prompt starts with the run and the step and how to
    /// go back (bash: an rc file that reads `~/.bashrc` first; zsh: a `ZDOTDIR` whose `.zshrc` reads
    /// the operator's; other shells: `PS1`).
    func shell(env: [String: String], dir: String?, fallback: String) {
        let shell = environment["SHELL"] ?? fallback
        guard let executable = findExecutable(shell, path: env["PATH"]) else {
            console.print(console.style.red("shell '\(shell)' not found") + "\n")
            return
        }
        let runId = env["RUNBOOK_RUN_ID"] ?? "?"
        let key = env["RUNBOOK_STEP_KEY"] ?? "?"
        // The run by its id's random part: the whole id is on the line above, and the prompt must stay short.
        let shortId = runId.split(separator: "-").last.map(String.init) ?? runId
        let (arguments, shellEnv) = promptedShell(shell, env: env, prefix: "[run \(shortId) · step \(key) · exit to return] ")
        console.print(console.style.dim("opening \(shell) for step '\(key)' of run \(runId)") + "\n")
        console.print(console.style.dim("with the run's environment; type exit (or Ctrl-D) to go back to its question") + "\n")
        _ = runForeground(executable, arguments, env: shellEnv, dir: dir, signals: console.signals)
        console.print(console.style.dim("back in run \(runId), step '\(key)'") + "\n")
    }

    /// The shell's argv and environment so that its prompt starts with `prefix`.
    private func promptedShell(_ shell: String, env: [String: String], prefix: String) -> ([String], [String: String]) {
        var env = env
        let quoted = "'" + prefix.replacingOccurrences(of: "'", with: "'\\''") + "'"
        switch shell.split(separator: "/").last.map(String.init) ?? shell {
        case "bash":
            let rc = scratchDir + "/shell.bashrc"
            // Expanded when the prompt is shown, so nothing in the prefix is read as a prompt escape.
            let text = "[ -r ~/.bashrc ] && . ~/.bashrc\n__runbook_prompt=\(quoted)\nPS1='${__runbook_prompt}'\"$PS1\"\n"
            guard (try? overwriteScratchFile(rc, Array(text.utf8))) != nil else { break }
            return ([shell, "--rcfile", rc, "-i"], env)
        case "zsh":
            let folder = scratchDir + "/zsh"
            let home = env["ZDOTDIR"] ?? env["HOME"] ?? ""
            let original = "'" + home.replacingOccurrences(of: "'", with: "'\\''") + "'"
            let zshPrefix = "'" + prefix.replacingOccurrences(of: "%", with: "%%").replacingOccurrences(of: "'", with: "'\\''") + "'"
            let text = "ZDOTDIR=\(original)\n[ -r \"$ZDOTDIR/.zshrc\" ] && . \"$ZDOTDIR/.zshrc\"\nPROMPT=\(zshPrefix)\"$PROMPT\"\n"
            mkdir(folder, 0o700)
            guard (try? overwriteScratchFile(folder + "/.zshrc", Array(text.utf8))) != nil else { break }
            env["ZDOTDIR"] = folder
            return ([shell], env)
        default:
            break
        }
        env["PS1"] = prefix + (env["PS1"] ?? "$ ")
        return ([shell], env)
    }
}
