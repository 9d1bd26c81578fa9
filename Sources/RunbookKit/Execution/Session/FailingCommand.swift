#if canImport(Glibc)
    import Glibc
#endif

/// Where `set -e` stopped a bash step: an ERR trap, set through `BASH_ENV` before the step's code
/// runs, writes the failing command's status, line and text to a scratch file. The code, its
/// output and its exit status are unchanged: the trap file unsets `BASH_ENV` at once (child bash
/// scripts do not inherit it) and sets `-E` so a failure inside a function is caught too. A step
/// whose environment already has a `BASH_ENV` keeps it, and gets no trap.
struct FailingCommandTrap {
    /// The file `BASH_ENV` names.
    let trapFile: String
    /// Where the trap writes `status<TAB>line<TAB>command`.
    let reportFile: String

    init(scratchDir: String) {
        trapFile = scratchDir + "/errtrap.sh"
        reportFile = scratchDir + "/step.err"
    }

    /// The trap file's text.
    var script: String {
        let quoted = "'" + reportFile.replacingOccurrences(of: "'", with: "'\\''") + "'"
        return """
            unset BASH_ENV; set -E
            trap '__runbook_status=$?; printf "%s\\t%s\\t%s\\n" "$__runbook_status" "$LINENO" "$BASH_COMMAND" > \(quoted.replacingOccurrences(of: "'", with: "'\\''")) 2>/dev/null; (exit $__runbook_status)' ERR

            """
    }

    /// Sets the trap up for a bash step whose environment has no `BASH_ENV` of its own; `written`
    /// says whether the trap file exists already (it is the same for every step). Returns whether it is set.
    func arm(env: inout [String: String], interpreter: String, written: inout Bool) throws(StorageError) -> Bool {
        guard interpreter.split(separator: "/").last == "bash", env["BASH_ENV"] == nil else { return false }
        if !written {
            try overwriteScratchFile(trapFile, Array(script.utf8))
            written = true
        }
        unlink(reportFile)
        env["BASH_ENV"] = trapFile
        return true
    }

    /// What the trap wrote, as a sentence, when the step ended with the status it saw (a step that
    /// went on after the failure and ended otherwise, `exit 3`, was not stopped there). `code` is what
    /// ran; `fileLine` maps a line of it to the runbook's line (nil for edited code).
    func failure(exitCode: Int32?, code: String, fileLine: ((Int) -> String)?) -> String? {
        guard let exitCode, case .bytes(let bytes)? = try? readRegularFile(reportFile, limit: 64 * 1024) else { return nil }
        let fields = String(decoding: bytes, as: UTF8.self).split(separator: "\t", maxSplits: 2).map(String.init)
        guard fields.count == 3, Int32(fields[0]) == exitCode, let line = Int(fields[1]) else { return nil }
        let command = fields[2].trimmingSpaces()
        let lines = code.split(separator: "\n", omittingEmptySubsequences: false)
        let source = line >= 1 && line <= lines.count ? String(lines[line - 1]).trimmingSpaces() : ""
        // The source line says the most (a whole pipeline); the command when the line does not hold it.
        var shown = source.isEmpty || !source.contains(command) ? command : source
        if shown.count > 300 { shown = String(shown.prefix(300)) + " …" }
        let place = fileLine.map { "\($0(line)) (line \(line) of the step)" } ?? "line \(line) of the edited code"
        return "\(place) failed under set -e: \(shown)"
    }
}
