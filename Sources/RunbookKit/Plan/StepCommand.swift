/// How one code step is started: the interpreter's argv, the file its code goes in and, for shell
/// code that may change exported variables, the wrapper that dumps them on exit.
public struct StepCommand: Sendable, Equatable {
    /// The variable naming where the wrapper dumps exported variables: a descriptor the runner
    /// passes to the step (`/proc/self/fd/N`, an in-memory file), never a file on disk.
    public static let envFileVariable = "RUNBOOK_ENV_FILE"

    /// argv; argv[0] is the interpreter as the runbook names it (the executable is found on PATH).
    public var arguments: [String]
    /// The scratch file the step's code is written to.
    public var codeFile: String
    /// The export-capturing wrapper script and its text, when exports are read back. On exit it
    /// writes the exported variables (NUL-separated `NAME=value`) to `$RUNBOOK_ENV_FILE`.
    public var wrapper: (path: String, text: String)?

    /// Whether the exported variables are read back after the step.
    public var capturesExports: Bool { wrapper != nil }

    /// The command for `code` in `language`, run by `interpreter`, with scratch files named from `scratchStem`;
    /// `capturingExports: false` never wraps it (a rehearsal's stand-in exports nothing to later steps).
    public init(language: String, code: String, interpreter: String, scratchStem: String, capturingExports: Bool = true) {
        let language = language.lowercased()
        let shellLike = StepLanguages.shellLike.contains(language)
        codeFile = scratchStem + "." + Self.fileExtension(language)
        guard shellLike else {
            arguments = [interpreter, codeFile]
            return
        }
        let shellName = interpreter.split(separator: "/").last.map(String.init) ?? interpreter
        var script = codeFile
        // Exports are read back only when the code could change them (see `mayChangeExports`).
        if capturingExports && Self.mayChangeExports(code) {
            let wrapperPath = scratchStem + ".wrapper"
            let quoted = "'" + codeFile.replacingOccurrences(of: "'", with: "'\\''") + "'"
            // On exit, write the exported variables NUL-separated for the next steps (bash with
            // builtins only; other shells with env -0).
            let dump = shellName == "bash" ? Self.bashExportDump : "env -0 > \"$\(Self.envFileVariable)\" 2>/dev/null"
            let text = "trap '__runbook_status=$?; \(dump.replacingOccurrences(of: "'", with: "'\\''")); exit $__runbook_status' EXIT\n. \(quoted)\n"
            wrapper = (wrapperPath, text)
            script = wrapperPath
        }
        switch shellName {
        case "bash": arguments = [interpreter, "--noprofile", "--norc", "-e", "-o", "pipefail", script]
        case "zsh": arguments = [interpreter, "--no-rcs", "-e", "-o", "pipefail", script]
        default: arguments = [interpreter, "-e", script]
        }
    }

    /// Compares argv and files (the wrapper by path and text).
    public static func == (a: StepCommand, b: StepCommand) -> Bool {
        a.arguments == b.arguments && a.codeFile == b.codeFile
            && a.wrapper?.path == b.wrapper?.path && a.wrapper?.text == b.wrapper?.text
    }

    /// The scratch file extension for a language (interpreters such as python care).
    public static func fileExtension(_ language: String) -> String {
        switch language.lowercased() {
        case "python", "python3": return "py"
        case "node": return "js"
        case "ruby": return "rb"
        case "perl": return "pl"
        default: return "sh"
        }
    }

    /// Whether shell code could change what is exported: only an assignment or one of these words
    /// (builtins that set, export, unset or read variables, or run other code in this shell) can.
    /// Code without any of them runs directly, without the export-capturing wrapper.
    public static func mayChangeExports(_ code: String) -> Bool {
        for token in code.split(whereSeparator: { exportSeparators.contains($0) }) {
            if exportWords.contains(token) { return true }
            // NAME= or NAME+= at the start of a word is an assignment.
            if let eq = token.firstIndex(of: "="), eq != token.startIndex {
                var name = token[..<eq]
                if name.hasSuffix("+") { name = name.dropLast() }
                if let first = name.first, first == "_" || first.isLetter, name.allSatisfy({ $0 == "_" || $0.isLetter || $0.isNumber }) {
                    return true
                }
            }
        }
        return code.contains("((")
    }

    /// Words after which a shell step may change what it exports (built once, not per step).
    private static let exportWords: Set<Substring> = [
        "export", "declare", "typeset", "local", "readonly", "set", "unset", "source", ".",
        "eval", "builtin", "command", "enable", "read", "mapfile", "readarray", "printf",
        "getopts", "for", "select", "let", "((", "cd", "pushd", "popd", "shopt", "alias",
    ]
    private static let exportSeparators: Set<Character> = [" ", "\t", "\n", ";", "|", "&", "(", ")", "<", ">", "`", "{", "}", "!"]

    /// Writes bash's exported variables NUL-separated with builtins only (no fork): every name by
    /// its first letter (`${!a@}` … `${!_@}`), kept when its attributes (`${n@a}`) include x.
    static let bashExportDump: String = {
        let prefixes = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_".map { "${!\($0)@}" }.joined(separator: " ")
        return
            "for __runbook_n in \(prefixes); do [[ ${!__runbook_n@a} == *x* ]] && printf '%s=%s\\0' \"$__runbook_n\" \"${!__runbook_n}\"; done > \"$RUNBOOK_ENV_FILE\" 2>/dev/null"
    }()
}
