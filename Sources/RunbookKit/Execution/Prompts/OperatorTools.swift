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

    /// Opens `$SHELL` (else the runbook's shell) with the step's environment in its folder, and
    /// waits for the operator to leave it.
    func shell(env: [String: String], dir: String?, fallback: String) {
        let shell = environment["SHELL"] ?? fallback
        guard let executable = findExecutable(shell, path: env["PATH"]) else {
            console.print(console.style.red("shell '\(shell)' not found") + "\n")
            return
        }
        console.print(console.style.dim("opening \(shell) with the run's environment; exit it to return to this step") + "\n")
        _ = runForeground(executable, [shell], env: env, dir: dir, signals: console.signals)
        console.print(console.style.dim("back in the run") + "\n")
    }
}
