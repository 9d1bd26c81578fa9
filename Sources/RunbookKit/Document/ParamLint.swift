/// Checks parameter use: a variable a step reads that nothing declares or sets,
/// and a declared parameter no step reads.
///
/// Only UPPER_CASE names are checked; lower-case ones are taken as the step's own locals.
struct ReferenceLint {
    let steps: [Step]
    let frontMatter: FrontMatter
    let source: SourceText
    /// Transcript steps split into commands, by step index: their commands are read, not their output.
    var splits: [Int: SplitCode] = [:]

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
        /// Index of the step that reads it; -1 for the front matter.
        var step = -1
    }

    /// Reports the findings; returns every reading, in the steps, of a name that is reported (the
    /// step's undeclared variables, which the caller lists as placeholders).
    @discardableResult
    func run(into sink: inout DiagnosticSink) -> [Reference] {
        var declared = Set(frontMatter.params.map(\.name))
        for variable in frontMatter.defaults.env { declared.insert(variable.name) }
        var assigned = Set<String>()
        var references: [Reference] = []
        var words: [Range<Int>] = []  // scratch for the shell scanner, reused from step to step

        // Front matter values may read params too (`dir: /srv/${APP}`).
        if let dir = frontMatter.defaults.dir {
            scanDollar(dir, line: frontMatter.dirAt.line, column: frontMatter.dirAt.column, into: &references)
        }
        for variable in frontMatter.defaults.env {
            let at = frontMatter.envAt[variable.name] ?? (1, 1)
            scanDollar(variable.value, line: at.line, column: at.column, into: &references)
        }

        for index in steps.indices {
            // Fields read one by one: copying the whole Step would retain every string in it.
            let line = steps[index].line
            let column = steps[index].column
            for variable in steps[index].attributes.env { assigned.insert(variable.name) }
            // dir= and env= values may read params; point at the value as written on the fence line.
            for attribute in steps[index].attributes.written where ["dir", "cwd", "env"].contains(attribute.key) {
                guard let value = attribute.value else { continue }
                let fenceLine = source.line(line)
                var valueColumn = attribute.column + attribute.key.utf8.count + 1
                let at = fenceLine.startIndex + valueColumn - 1
                if at < fenceLine.endIndex, fenceLine[at] == UInt8(ascii: "\"") || fenceLine[at] == UInt8(ascii: "'") { valueColumn += 1 }
                scanDollar(value, line: line, column: valueColumn, into: &references)
            }
            guard let code = steps[index].code, let language = steps[index].language?.lowercased() else { continue }
            let codeLine = line + 1
            let indent = column - 1
            let firstReference = references.count
            defer { for r in firstReference..<references.count { references[r].step = index } }
            if steps[index].form == .transcript, let split = splits[index] {
                for (k, command) in split.commands.enumerated() {
                    scanShell(command.text, line: command.line, column: command.column, pieces: split.pieces[k], into: &references)
                    collectShellAssignments(command.text, words: &words, into: &assigned)
                }
            } else if StepLanguages.shellLike.contains(language) {
                scanShell(code, line: codeLine, column: indent + 1, into: &references)
                collectShellAssignments(code, words: &words, into: &assigned)
            } else {
                scanQuotedAccess(code, language: language, line: codeLine, column: indent + 1, into: &references)
            }
        }

        var used = Set<String>()
        var reported = Set<String>()
        for reference in references {
            // Whether a reading is reported depends on the name alone, so only a name's first reading can be.
            guard used.insert(reference.name).inserted else { continue }
            guard !declared.contains(reference.name), !assigned.contains(reference.name),
                !Self.wellKnown.contains(reference.name),
                !Self.wellKnownPrefixes.contains(where: { reference.name.hasPrefix($0) }),
                reference.name.utf8.contains(where: { $0 >= 65 && $0 <= 90 }),
                !reference.name.utf8.contains(where: { $0 >= 97 && $0 <= 122 })
            else { continue }
            reported.insert(reference.name)
            sink.warning(
                "undeclared-param", line: reference.line, column: reference.column,
                "'\(reference.name)' is read here but is not a declared param, not set in env, and no step assigns it; declare it under 'params:' in the front matter so the run asks for it"
            )
        }
        for param in frontMatter.params where !used.contains(param.name) && !mentionedInCode(param.name) {
            sink.warning(
                "unused-param", line: param.line,
                "parameter '\(param.name)' is declared but no step reads it; remove it or use it as $\(param.name)")
        }
        return references.filter { $0.step >= 0 && reported.contains($0.name) }
    }

    /// Whether any step's code names `name` as a whole word: `docker run -e NAME`, or a tool that reads
    /// it from the environment by itself and is documented next to it, counts as a use.
    private func mentionedInCode(_ name: String) -> Bool {
        let needle = Array(name.utf8)
        for index in steps.indices {
            guard var code = steps[index].code else { continue }
            let found = code.withUTF8 { bytes -> Bool in
                guard bytes.count >= needle.count else { return false }
                var i = 0
                while i + needle.count <= bytes.count {
                    if bytes[i] == needle[0], bytes[i..<(i + needle.count)].elementsEqual(needle),
                        i == 0 || !Self.isNameByte(bytes[i - 1]),
                        i + needle.count == bytes.count || !Self.isNameByte(bytes[i + needle.count])
                    {
                        return true
                    }
                    i += 1
                }
                return false
            }
            if found { return true }
        }
        return false
    }

    // MARK: Scanners (byte-level, linear)

    /// `$NAME` and `${NAME…}` in shell code, outside single quotes (`'$NF'` for awk) and comments.
    /// With `pieces`, each line's position comes from its piece (a transcript's command), else lines
    /// follow `line` and all start at `column`.
    private func scanShell(_ text: String, line: Int, column: Int, pieces: [TextPiece] = [], into out: inout [Reference]) {
        var text = text
        text.withUTF8 { bytes in
            var lineNo = line
            var lineColumn = pieces.first?.column ?? column
            var piece = 0
            var lineStart = 0
            var inSingle = false
            var inDouble = false
            var i = 0
            while i < bytes.count {
                let b = bytes[i]
                if b == 0x0A {
                    lineNo += 1
                    piece += 1
                    if piece < pieces.count {
                        lineNo = pieces[piece].line
                        lineColumn = pieces[piece].column ?? 1
                    }
                    lineStart = i + 1
                    i += 1
                    continue
                }
                if inSingle {
                    if b == UInt8(ascii: "'") { inSingle = false }
                    i += 1
                    continue
                }
                switch b {
                case UInt8(ascii: "\\"):
                    // An escaped character is literal; an escaped newline still ends a line.
                    if i + 1 < bytes.count && bytes[i + 1] == 0x0A {
                        i += 1
                        continue
                    }
                    i += 2
                    continue
                case UInt8(ascii: "'") where !inDouble:
                    inSingle = true
                case UInt8(ascii: "\""):
                    inDouble.toggle()
                case UInt8(ascii: "#") where !inDouble && (i == 0 || [0x20, 0x09, 0x0A, UInt8(ascii: ";")].contains(bytes[i - 1])):
                    while i < bytes.count && bytes[i] != 0x0A { i += 1 }
                    continue
                case UInt8(ascii: "$") where i + 1 < bytes.count:
                    if let end = Self.readVariable(bytes, dollarAt: i, line: lineNo, column: lineColumn + (i - lineStart), into: &out) {
                        i = end
                        continue
                    }
                default:
                    break
                }
                i += 1
            }
        }
    }

    /// Reads `$NAME` or `${NAME…}` starting at the `$`; records it and returns the index after the name,
    /// or nil when no name follows.
    private static func readVariable(
        _ bytes: UnsafeBufferPointer<UInt8>, dollarAt i: Int, line: Int, column: Int,
        into out: inout [Reference]
    ) -> Int? {
        var j = i + 1
        if j < bytes.count && bytes[j] == UInt8(ascii: "{") { j += 1 }
        let start = j
        guard j < bytes.count && isNameStart(bytes[j]) else { return nil }
        while j < bytes.count && isNameByte(bytes[j]) { j += 1 }
        out.append(Reference(name: String(decoding: bytes[start..<j], as: UTF8.self), line: line, column: column))
        return j
    }

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
            // Straight to the next newline or `$`, eight bytes at a time.
            if i + 8 <= bytes.count {
                let word = ByteWords.load(bytes, at: i)
                let marks = ByteWords.matches(word, 0x0A) | ByteWords.matches(word, UInt8(ascii: "$"))
                if marks == 0 {
                    i += 8
                    continue
                }
                i += ByteWords.firstOffset(marks)
            }
            let b = bytes[i]
            if b == 0x0A {
                lineNo += 1
                lineStart = i + 1
                i += 1
                continue
            }
            if b == UInt8(ascii: "$") && !(i > 0 && bytes[i - 1] == UInt8(ascii: "\\")) && i + 1 < bytes.count,
                let end = Self.readVariable(bytes, dollarAt: i, line: lineNo, column: column + (i - lineStart), into: &out)
            {
                i = end
                continue
            }
            i += 1
        }
    }

    /// `os.environ["X"]`, `os.environ.get("X")`, `os.getenv("X")`, `process.env.X`, `ENV["X"]`, `ENV.fetch("X")`, `$ENV{X}`.
    private func scanQuotedAccess(_ text: String, language: String, line: Int, column: Int, into out: inout [Reference]) {
        var text = text
        text.withUTF8 { scanQuotedAccess(bytes: $0, line: line, column: column, into: &out) }
    }

    private static let quotedAccessOpeners: [[UInt8]] =
        ["environ[", "environ.get(", "getenv(", "ENV[", "ENV.fetch(", "ENV{", "process.env."].map { Array($0.utf8) }

    private func scanQuotedAccess(bytes: UnsafeBufferPointer<UInt8>, line: Int, column: Int, into out: inout [Reference]) {
        let openers = Self.quotedAccessOpeners
        var lineNo = line
        var lineStart = 0
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x0A {
                lineNo += 1
                lineStart = i + 1
                i += 1
                continue
            }
            var matched = false
            for opener in openers where i + opener.count <= bytes.count && bytes[i] == opener[0] {
                guard bytes[i..<(i + opener.count)].elementsEqual(opener) else { continue }
                var j = i + opener.count
                if j < bytes.count && (bytes[j] == UInt8(ascii: "\"") || bytes[j] == UInt8(ascii: "'")) { j += 1 }
                let start = j
                while j < bytes.count && Self.isNameByte(bytes[j]) { j += 1 }
                if j > start {
                    out.append(
                        Reference(
                            name: String(decoding: bytes[start..<j], as: UTF8.self), line: lineNo,
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
    private func collectShellAssignments(_ text: String, words: inout [Range<Int>], into assigned: inout Set<String>) {
        var text = text
        text.withUTF8 { collectShellAssignments(bytes: $0, words: &words, into: &assigned) }
    }

    /// `words` is scratch space for the word ranges of the current command.
    private func collectShellAssignments(
        bytes: UnsafeBufferPointer<UInt8>, words: inout [Range<Int>],
        into assigned: inout Set<String>
    ) {
        words.removeAll(keepingCapacity: true)
        var setsNames = false  // whether the current command's first word is one that sets the names it is given
        let count = bytes.count
        var i = 0
        while i < count {
            let b = bytes[i]
            if Self.endsWord(b) {
                if b == 0x0A || b == UInt8(ascii: ";") || b == UInt8(ascii: "&") || b == UInt8(ascii: "|") {
                    if setsNames { Self.commandAssignments(bytes, words, into: &assigned) }
                    words.removeAll(keepingCapacity: true)
                    setsNames = false
                }
                i += 1
                continue
            }
            let start = i
            // NAME= (or NAME+=) at the start of a word is an assignment.
            if Self.isNameStart(b) {
                var j = i + 1
                while j < count && Self.isNameByte(bytes[j]) { j += 1 }
                if j < count && (bytes[j] == UInt8(ascii: "=") || (bytes[j] == UInt8(ascii: "+") && j + 1 < count && bytes[j + 1] == UInt8(ascii: "="))) {
                    assigned.insert(String(decoding: bytes[i..<j], as: UTF8.self))
                }
                i = j  // name bytes never end a word
            }
            while i < count && !Self.endsWord(bytes[i]) { i += 1 }
            // Only such commands need all their words.
            if words.isEmpty {
                // `while read NAME`, `if read NAME`, `! read NAME`: the command is the word after the keyword.
                if Self.commandPrefixes.contains(where: { Self.word(start..<i, in: bytes, is: $0) }) { continue }
                words.append(start..<i)
                setsNames = Self.nameSettingCommands.contains { Self.word(start..<i, in: bytes, is: $0) }
            } else if setsNames {
                words.append(start..<i)
            }
        }
        if setsNames { Self.commandAssignments(bytes, words, into: &assigned) }
    }

    /// Keywords that a command may follow in the same command position.
    private static let commandPrefixes: [StaticString] = ["while", "until", "if", "elif", "then", "do", "else", "!", "time"]

    /// Commands that set the variables named in their arguments; see `commandAssignments`.
    private static let nameSettingCommands: [StaticString] = ["read", "mapfile", "readarray", "for", "select", "printf", "getopts"]

    private static func word(_ range: Range<Int>, in bytes: UnsafeBufferPointer<UInt8>, is literal: StaticString) -> Bool {
        guard range.count == literal.utf8CodeUnitCount else { return false }
        return literal.withUTF8Buffer { bytes[range].elementsEqual($0) }
    }

    /// Bytes that end a shell word: space, tab, newline, `;`, `(`, `&`, `|`, `` ` `` and `{`.
    /// A newline, `;`, `&` and `|` also end the command.
    @inline(__always) private static func endsWord(_ b: UInt8) -> Bool {
        // One bit per byte value: bytes 0-63 in `low`, 64-127 in `high` (a table lookup without a table).
        let low: UInt64 = 1 << 0x20 | 1 << 0x09 | 1 << 0x0A | 1 << 0x3B | 1 << 0x28 | 1 << 0x26
        let high: UInt64 = 1 << (0x7C - 64) | 1 << (0x60 - 64) | 1 << (0x7B - 64)
        return b < 64 ? (low >> UInt64(b)) & 1 != 0 : b < 128 && (high >> UInt64(b - 64)) & 1 != 0
    }

    /// The names one command (`words`, at least one) sets by what it runs: `read`, `mapfile`, `readarray`,
    /// `for`, `select`, `printf -v` and `getopts`.
    private static func commandAssignments(
        _ bytes: UnsafeBufferPointer<UInt8>, _ words: [Range<Int>],
        into assigned: inout Set<String>
    ) {
        func word(_ r: Range<Int>) -> String { String(decoding: bytes[r], as: UTF8.self) }
        func firstWordIs(_ literal: StaticString) -> Bool { Self.word(words[0], in: bytes, is: literal) }
        if firstWordIs("read") || firstWordIs("mapfile") || firstWordIs("readarray") {
            let takesArgument: Set<String> = ["-p", "-t", "-d", "-n", "-N", "-u", "-i", "-C", "-c", "-O"]
            let isRead = firstWordIs("read")
            var skipNext = false
            for range in words.dropFirst() {
                if skipNext {
                    skipNext = false
                    continue
                }
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
}
