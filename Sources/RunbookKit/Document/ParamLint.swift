/// Checks parameter use: a variable a step reads that nothing declares or sets,
/// and a declared parameter no step reads.
///
/// Only UPPER_CASE names are checked; lower-case ones are taken as the step's own locals.
struct ReferenceLint {
    let steps: [Step]
    let frontMatter: FrontMatter
    let source: SourceText

    /// Variables present in any login environment or set by runbook itself; never reported.
    static let wellKnown: Set<String> = [
        "HOME", "PATH", "USER", "LOGNAME", "SHELL", "PWD", "OLDPWD", "TERM", "LANG", "LANGUAGE", "TMPDIR", "TZ",
        "HOSTNAME", "HOSTTYPE", "OSTYPE", "MACHTYPE", "RANDOM", "SECONDS", "LINENO", "UID", "EUID", "PPID", "GROUPS",
        "BASH", "BASHPID", "BASH_SOURCE", "BASH_VERSION", "BASH_REMATCH", "BASH_LINENO", "BASH_ENV", "FUNCNAME",
        "PIPESTATUS", "IFS", "OPTARG", "OPTIND", "REPLY", "EDITOR", "VISUAL", "PAGER", "CI", "SSH_AUTH_SOCK",
        "SSH_TTY", "DISPLAY", "EPOCHSECONDS", "EPOCHREALTIME", "COLUMNS", "LINES", "PS1", "PS2", "PS4", "SHLVL",
        "NO_COLOR", "MAIL", "HISTFILE", "PROMPT_COMMAND", "COMP_WORDS", "KUBECONFIG", "DOCKER_HOST",
    ]
    /// Name prefixes never reported (`RUNBOOK_` is what runbook sets for every step).
    static let wellKnownPrefixes = ["RUNBOOK_", "XDG_", "LC_", "BASH_", "SSH_"]

    struct Reference {
        var name: String
        var line: Int
        var column: Int
    }

    func run(into sink: inout DiagnosticSink) {
        var declared = Set(frontMatter.params.map(\.name))
        for variable in frontMatter.defaults.env { declared.insert(variable.name) }
        var assigned = Set<String>()
        var references: [Reference] = []

        // Front matter values may read params too (`dir: /srv/${APP}`).
        if let dir = frontMatter.defaults.dir { scanDollar(dir, line: 1, column: 1, into: &references) }
        for variable in frontMatter.defaults.env { scanDollar(variable.value, line: 1, column: 1, into: &references) }

        for index in steps.indices {
            let attributes = steps[index].attributes
            let step = (line: steps[index].line, column: steps[index].column, code: steps[index].code,
                        language: steps[index].language, attributes: attributes)
            for variable in step.attributes.env {
                assigned.insert(variable.name)
                scanDollar(variable.value, line: step.line, column: step.column, into: &references)
            }
            if let dir = step.attributes.dir { scanDollar(dir, line: step.line, column: step.column, into: &references) }
            guard let code = step.code, let language = step.language?.lowercased() else { continue }
            let codeLine = step.line + 1
            let indent = step.column - 1
            if StepLanguages.shellLike.contains(language) {
                scanDollar(code, line: codeLine, column: indent + 1, into: &references)
                collectShellAssignments(code, into: &assigned)
            } else {
                scanQuotedAccess(code, language: language, line: codeLine, column: indent + 1, into: &references)
            }
        }

        var used = Set<String>()
        var reported = Set<String>()
        for reference in references {
            used.insert(reference.name)
            guard !declared.contains(reference.name), !assigned.contains(reference.name),
                  !Self.wellKnown.contains(reference.name),
                  !Self.wellKnownPrefixes.contains(where: { reference.name.hasPrefix($0) }),
                  reference.name.utf8.contains(where: { $0 >= 65 && $0 <= 90 }),
                  !reference.name.utf8.contains(where: { $0 >= 97 && $0 <= 122 }),
                  !reported.contains(reference.name) else { continue }
            reported.insert(reference.name)
            sink.warning("undeclared-param", line: reference.line, column: reference.column,
                         "'\(reference.name)' is read here but is not a declared param, not set in env, and no step assigns it; declare it under 'params:' in the front matter so the run asks for it")
        }
        for param in frontMatter.params where !used.contains(param.name) {
            sink.warning("unused-param", line: param.line,
                         "parameter '\(param.name)' is declared but no step reads it; remove it or use it as $\(param.name)")
        }
    }

    // MARK: Scanners (byte-level, linear)

    private static func isNameStart(_ b: UInt8) -> Bool { (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 95 }
    private static func isNameByte(_ b: UInt8) -> Bool { isNameStart(b) || (b >= 48 && b <= 57) }

    /// `$NAME` and `${NAME…}`, not `\$NAME`; positions relative to (line, column) of the text's start.
    private func scanDollar(_ text: String, line: Int, column: Int, into out: inout [Reference]) {
        var text = text
        text.withUTF8 { scanDollar(bytes: $0, line: line, column: column, into: &out) }
    }

    private func scanDollar(bytes: UnsafeBufferPointer<UInt8>, line: Int, column: Int, into out: inout [Reference]) {
        var lineNo = line
        var lineStart = 0
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x0A { lineNo += 1; lineStart = i + 1; i += 1; continue }
            if b == UInt8(ascii: "$") && !(i > 0 && bytes[i - 1] == UInt8(ascii: "\\")) && i + 1 < bytes.count {
                var j = i + 1
                if bytes[j] == UInt8(ascii: "{") { j += 1 }
                let start = j
                if j < bytes.count && Self.isNameStart(bytes[j]) {
                    while j < bytes.count && Self.isNameByte(bytes[j]) { j += 1 }
                    out.append(Reference(name: String(decoding: bytes[start..<j], as: UTF8.self), line: lineNo,
                                         column: column + (i - lineStart)))
                    i = j
                    continue
                }
            }
            i += 1
        }
    }

    /// `os.environ["X"]`, `os.environ.get("X")`, `os.getenv("X")`, `process.env.X`, `ENV["X"]`, `ENV.fetch("X")`, `$ENV{X}`.
    private func scanQuotedAccess(_ text: String, language: String, line: Int, column: Int, into out: inout [Reference]) {
        let bytes = Array(text.utf8)
        let openers: [[UInt8]] = ["environ[", "environ.get(", "getenv(", "ENV[", "ENV.fetch(", "ENV{", "process.env."].map { Array($0.utf8) }
        var lineNo = line
        var lineStart = 0
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x0A { lineNo += 1; lineStart = i + 1; i += 1; continue }
            var matched = false
            for opener in openers where i + opener.count <= bytes.count && bytes[i] == opener[0] {
                guard bytes[i..<(i + opener.count)].elementsEqual(opener) else { continue }
                var j = i + opener.count
                if j < bytes.count && (bytes[j] == UInt8(ascii: "\"") || bytes[j] == UInt8(ascii: "'")) { j += 1 }
                let start = j
                while j < bytes.count && Self.isNameByte(bytes[j]) { j += 1 }
                if j > start {
                    out.append(Reference(name: String(decoding: bytes[start..<j], as: UTF8.self), line: lineNo,
                                         column: column + (i - lineStart)))
                }
                i = max(j, i + 1)
                matched = true
                break
            }
            if !matched { i += 1 }
        }
    }

    /// Names a shell step sets: `NAME=…` (also after export/local/declare/readonly), `read … NAME`, `for NAME in`,
    /// `printf -v NAME`, `getopts SPEC NAME`, `mapfile NAME`.
    private func collectShellAssignments(_ text: String, into assigned: inout Set<String>) {
        var text = text
        text.withUTF8 { collectShellAssignments(bytes: $0, into: &assigned) }
    }

    private func collectShellAssignments(bytes: UnsafeBufferPointer<UInt8>, into assigned: inout Set<String>) {
        var words: [Range<Int>] = []   // word ranges of the current command
        words.reserveCapacity(16)

        func word(_ r: Range<Int>) -> String { String(decoding: bytes[r], as: UTF8.self) }
        func firstWordIs(_ literal: StaticString) -> Bool {
            guard let first = words.first, first.count == literal.utf8CodeUnitCount else { return false }
            return literal.withUTF8Buffer { bytes[first].elementsEqual($0) }
        }
        func flushCommand() {
            defer { words.removeAll(keepingCapacity: true) }
            guard !words.isEmpty else { return }
            if firstWordIs("read") || firstWordIs("mapfile") || firstWordIs("readarray") {
                let takesArgument: Set<String> = ["-p", "-t", "-d", "-n", "-N", "-u", "-i", "-C", "-c", "-O"]
                let isRead = firstWordIs("read")
                var skipNext = false
                for range in words.dropFirst() {
                    if skipNext { skipNext = false; continue }
                    let w = word(range)
                    if w.hasPrefix("-") {
                        if isRead && takesArgument.contains(w) { skipNext = true }
                        continue
                    }
                    assigned.insert(w)
                }
            } else if firstWordIs("for") || firstWordIs("select"), words.count >= 2 {
                assigned.insert(word(words[1]))
            } else if firstWordIs("printf"), let v = words.firstIndex(where: { word($0) == "-v" }), v + 1 < words.count {
                assigned.insert(word(words[v + 1]))
            } else if firstWordIs("getopts"), words.count >= 3 {
                assigned.insert(word(words[2]))
            }
        }

        var wordStart = -1
        var i = 0
        while i <= bytes.count {
            let b: UInt8 = i < bytes.count ? bytes[i] : 0x0A
            switch b {
            case 0x20, 0x09, 0x0A, UInt8(ascii: ";"), UInt8(ascii: "("), UInt8(ascii: "&"), UInt8(ascii: "|"),
                 UInt8(ascii: "`"), UInt8(ascii: "{"):
                if wordStart >= 0 {
                    words.append(wordStart..<i)
                    wordStart = -1
                }
                if b == 0x0A || b == UInt8(ascii: ";") || b == UInt8(ascii: "&") || b == UInt8(ascii: "|") { flushCommand() }
            default:
                if wordStart < 0 {
                    wordStart = i
                    // NAME= (or NAME+=) at the start of a word is an assignment.
                    if Self.isNameStart(b) {
                        var j = i
                        while j < bytes.count && Self.isNameByte(bytes[j]) { j += 1 }
                        if j < bytes.count && (bytes[j] == UInt8(ascii: "=") || (bytes[j] == UInt8(ascii: "+") && j + 1 < bytes.count && bytes[j + 1] == UInt8(ascii: "="))) {
                            assigned.insert(word(i..<j))
                        }
                    }
                }
            }
            i += 1
        }
    }
}
