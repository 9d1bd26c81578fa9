/// What a rehearsal (`runbook run --dry-run`) can check about a step without running it: the
/// interpreter's own syntax check, the commands shell code calls, and the code as it would run
/// with its params filled in for display.
public enum RehearsalChecks {
    /// The argv (after the interpreter) that checks `file`'s syntax without running it, for a
    /// language; nil when the interpreter has no check that is free of side effects (perl's `-c`
    /// runs BEGIN blocks, so it is not used).
    public static func syntaxCheck(language: String, interpreter: String) -> [String]? {
        let name = interpreter.split(separator: "/").last.map(String.init) ?? interpreter
        switch language.lowercased() {
        case "bash", "sh", "shell", "zsh", "console", "shell-session":
            return ["-n"]
        case "python", "python3", "py":
            // Parses without compiling to a .pyc file or importing anything.
            return ["-c", "import ast, sys; ast.parse(open(sys.argv[1], 'rb').read(), sys.argv[1])"]
        case "node", "javascript", "js":
            return ["--check"]
        case "ruby", "rb":
            return ["-c"]
        default:
            return name == "bash" || name == "sh" || name == "zsh" ? ["-n"] : nil
        }
    }

    /// Builtins, keywords and the like that are never looked up on PATH.
    static let shellWords: Set<String> = [
        "if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac", "in", "function", "select",
        "time", "!", "{", "}", "[[", "]]", "[", "test", "echo", "printf", "read", "cd", "pwd", "export", "unset", "set", "shift",
        "source", ".", "eval", "exec", "exit", "return", "local", "declare", "typeset", "readonly", "true", "false", ":",
        "trap", "wait", "kill", "let", "alias", "unalias", "type", "command", "builtin", "hash", "umask", "ulimit", "getopts",
        "break", "continue", "jobs", "fg", "bg", "disown", "pushd", "popd", "dirs", "shopt", "enable", "mapfile", "readarray",
        "history", "caller", "compgen", "complete", "coproc", "logout", "suspend", "times",
    ]

    /// The commands shell `code` calls by name, in order of first use: the first word of each
    /// simple command (after `|`, `&&`, `||`, `;`, `(`, `then`, `do`, …), skipping assignments,
    /// builtins, keywords, paths and words built from variables. A heuristic: reported as warnings.
    public static func commandsUsed(_ code: String) -> [String] {
        var found: [String] = []
        var seen = Set<String>()
        for line in logicalLines(code) {
            var expectCommand = true
            for token in tokens(line) {
                if ["|", "||", "&&", ";", "&", "(", ")", "then", "do", "else", "elif", "if", "while", "until", "!", "{", "time"].contains(token) {
                    expectCommand = true
                    continue
                }
                guard expectCommand else { continue }
                if isAssignment(token) { continue }
                expectCommand = false
                guard isPlainName(token), !shellWords.contains(token), !seen.contains(token) else { continue }
                seen.insert(token)
                found.append(token)
            }
        }
        return found
    }

    /// Lines with comments cut and `\` continuations joined; heredoc bodies left out.
    private static func logicalLines(_ code: String) -> [String] {
        var out: [String] = []
        var pending = ""
        var heredocEnd: String?
        for raw in code.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if let end = heredocEnd {
                if raw.trimmingSpaces() == end { heredocEnd = nil }
                continue
            }
            var line = raw
            if let hash = line.range(of: " #") ?? (line.hasPrefix("#") ? line.range(of: "#") : nil) { line = String(line[..<hash.lowerBound]) }
            if let marker = line.range(of: "<<") {
                let rest = line[marker.upperBound...].drop { $0 == "-" || $0 == "~" || $0 == " " }
                let word = rest.prefix { !" ;|&)".contains($0) }.filter { $0 != "'" && $0 != "\"" }
                if !word.isEmpty { heredocEnd = String(word) }
            }
            if line.hasSuffix("\\") {
                pending += line.dropLast() + " "
                continue
            }
            out.append(pending + line)
            pending = ""
        }
        if !pending.isEmpty { out.append(pending) }
        return out
    }

    /// Words and operators of a line; quoted text is one word.
    private static func tokens(_ line: String) -> [String] {
        var out: [String] = []
        var word = ""
        var quote: Character?
        var chars = Array(line)[...]
        func flush() {
            if !word.isEmpty { out.append(word) }
            word = ""
        }
        while let c = chars.popFirst() {
            if let q = quote {
                word.append(c)
                if c == q { quote = nil }
                continue
            }
            switch c {
            case "'", "\"", "`":
                quote = c
                word.append(c)
            case " ", "\t":
                flush()
            case "(" where chars.first == "(" && (word.isEmpty || word.hasSuffix("$")):
                // Arithmetic, `$(( n / 2 ))` or `(( i++ ))`: names in it are variables, never commands.
                word.append(c)
                var depth = 1
                while depth > 0, let next = chars.popFirst() {
                    word.append(next)
                    if next == "(" { depth += 1 } else if next == ")" { depth -= 1 }
                }
            case "|", "&", ";", "(", ")":
                flush()
                if let next = chars.first, c == "|" || c == "&", next == c {
                    chars.removeFirst()
                    out.append(String([c, c]))
                } else {
                    out.append(String(c))
                }
            default:
                word.append(c)
            }
        }
        flush()
        return out
    }

    private static func isAssignment(_ token: String) -> Bool {
        guard let eq = token.firstIndex(of: "="), eq != token.startIndex else { return false }
        return token[..<eq].allSatisfy { $0 == "_" || $0.isLetter || $0.isNumber }
    }

    private static func isPlainName(_ token: String) -> Bool {
        guard let first = token.first, first.isLetter || first == "_" else { return false }
        return token.allSatisfy { $0.isLetter || $0.isNumber || "_-.+".contains($0) }
    }

    /// `code` with `$NAME` and `${NAME}` of the run's params filled in, for display only; secret
    /// values are shown as `[secret]`. What runs is the code as written, with the params in the
    /// environment.
    public static func displayCode(_ code: String, params: [ResolvedParam]) -> String {
        var values: [String: String] = [:]
        for p in params { values[p.param.name] = p.param.secret ? "[secret]" : p.value }
        return expandVariables(code, values, keepUnknown: true)
    }
}
