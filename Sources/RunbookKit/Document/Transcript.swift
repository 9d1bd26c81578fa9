/// One line of a code block's literal, with where it stands in the file.
struct CodeLine {
    /// The line's bytes as cmark gave them (container indentation removed), without the LF.
    var bytes: ArraySlice<UInt8>
    /// File line.
    var line: Int
    /// File column of the literal line's first byte, nil when it cannot be found on the file's line.
    var column: Int?
}

/// Where the bytes of a command's text came from, a line at a time.
struct TextPiece {
    /// UTF-8 offset in the command's text where this line's part starts.
    var offset: Int
    /// File line.
    var line: Int
    /// File column of the part's first byte, nil when unknown.
    var column: Int?
}

/// A prompt (or continuation prompt) a transcript step wrote before a command line.
struct PromptMark {
    var line: Int
    var column: Int?
    var length: Int
}

/// A problem found while splitting a transcript, at a file position.
struct TranscriptFinding {
    var line: Int
    var column: Int
    var message: String
}

/// A code block split into its commands.
struct SplitCode {
    var form: CodeForm
    var commands: [CodeCommand]
    /// Per command, where each line of its text came from.
    var pieces: [[TextPiece]]
    /// Every prompt removed, for `adopt`.
    var prompts: [PromptMark] = []
    var findings: [TranscriptFinding] = []
    /// Whether any command has expected output.
    var hasOutput: Bool { commands.contains { !($0.expectedOutput ?? "").isEmpty } }
}

/// Splits shell code into commands: one for a script, one per prompt for a transcript.
enum TranscriptReader {
    /// The script or transcript that `lines` (the lines of `literal`) hold.
    static func split(_ lines: [CodeLine], literal: String) -> SplitCode {
        guard let first = firstPromptLine(lines) else { return script(lines, literal: literal, withPieces: false) }
        var reader = Reader(lines: lines)
        reader.run(from: first)
        return reader.result
    }

    /// The whole block, `literal` with the `lines` it is made of, as one command; where its lines came
    /// from only `withPieces` (parsing needs them for placeholders alone).
    static func script(_ lines: [CodeLine], literal: String, withPieces: Bool = true) -> SplitCode {
        var pieces: [TextPiece] = []
        if withPieces {
            pieces.reserveCapacity(lines.count)
            var offset = 0
            for line in lines {
                pieces.append(TextPiece(offset: offset, line: line.line, column: line.column))
                offset += line.bytes.count + 1
            }
        }
        let first = lines.first
        let text = literal.utf8.last == 0x0A ? String(literal.utf8.dropLast()) ?? literal : literal
        let command = CodeCommand(
            text: text, line: first?.line ?? 0, column: first?.column ?? 1, endLine: lines.last?.line ?? 0, prompt: nil,
            expectedOutput: nil, outputLine: nil)
        return SplitCode(form: .script, commands: [command], pieces: [pieces])
    }

    /// The index of the first line that starts with a shell prompt where a command could start, or nil
    /// (a `$ ` line inside a heredoc or a quoted string of a script is not a prompt).
    private static func firstPromptLine(_ lines: [CodeLine]) -> Int? {
        guard let candidate = lines.firstIndex(where: { ConsolePrompt.shellLength($0.bytes) != nil }) else { return nil }
        var lexer = ShellLexer()
        for line in lines[..<candidate] { lexer.feed(line.bytes) }
        return lexer.isComplete ? candidate : nil
    }

    /// The command being read and the output lines after it.
    private struct Pending {
        var text: [UInt8] = []
        var pieces: [TextPiece] = []
        var line: Int
        var column: Int
        var endLine: Int
        var prompt: String
        var lexer = ShellLexer()
        var output: [CodeLine] = []
    }

    private struct Reader {
        let lines: [CodeLine]
        var result = SplitCode(form: .transcript, commands: [], pieces: [])
        var pending: Pending?
        var reportedForeign = false

        init(lines: [CodeLine]) { self.lines = lines }

        mutating func run(from first: Int) {
            for line in lines[..<first] where !isBlankOrComment(line.bytes) {
                report(
                    line, 0,
                    "this line comes before the first prompt, so it is neither a command nor output; put '$ ' before it if it is a command, or move it out of the block"
                )
            }
            for line in lines[first...] { take(line) }
            finish()
        }

        private mutating func take(_ line: CodeLine) {
            let promptLength = ConsolePrompt.shellLength(line.bytes)
            if var command = pending, command.output.isEmpty, !command.lexer.isComplete,
                promptLength == nil || command.lexer.inQuoteOrHeredoc
            {
                var bytes = line.bytes
                if let length = ConsolePrompt.continuationLength(bytes) {
                    result.prompts.append(PromptMark(line: line.line, column: line.column, length: length))
                    bytes = bytes.dropFirst(length)
                }
                command.text.append(0x0A)
                command.pieces.append(TextPiece(offset: command.text.count, line: line.line, column: line.column.map { $0 + line.bytes.count - bytes.count }))
                command.text.append(contentsOf: bytes)
                command.lexer.feed(bytes)
                command.endLine = line.line
                pending = command
                return
            }
            if let length = promptLength {
                finish()
                result.prompts.append(PromptMark(line: line.line, column: line.column, length: length))
                let bytes = line.bytes.dropFirst(length)
                let column = line.column.map { $0 + length } ?? 1
                guard !bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) else { return }  // a prompt with no command
                var command = Pending(
                    line: line.line, column: column, endLine: line.line, prompt: String(decoding: line.bytes.prefix(length), as: UTF8.self))
                command.pieces.append(TextPiece(offset: 0, line: line.line, column: line.column.map { $0 + length }))
                command.text.append(contentsOf: bytes)
                command.lexer.feed(bytes)
                pending = command
                return
            }
            if let length = ConsolePrompt.foreignLength(line.bytes), !reportedForeign, pending != nil {
                reportedForeign = true
                let prompt = String(decoding: line.bytes.prefix(length), as: UTF8.self).trimmingSpaces()
                report(
                    line, 0,
                    "this line is typed at another program's prompt ('\(prompt)'), which a step cannot answer; show the session in a 'console' block (runbook adopt does this), or feed the program its input in the command, e.g. with a heredoc"
                )
            }
            pending?.output.append(line)
        }

        private mutating func report(_ line: CodeLine, _ offset: Int, _ message: String) {
            let indent = line.bytes.prefix { $0 == 0x20 || $0 == 0x09 }.count
            result.findings.append(TranscriptFinding(line: line.line, column: (line.column ?? 1) + indent + offset, message: message))
        }

        private mutating func finish() {
            guard let command = pending else { return }
            pending = nil
            let output = Self.expectedOutput(command.output)
            result.commands.append(
                CodeCommand(
                    text: String(decoding: command.text, as: UTF8.self), line: command.line, column: command.column,
                    endLine: command.endLine, prompt: command.prompt, expectedOutput: output.text, outputLine: output.line))
            result.pieces.append(command.pieces)
        }

        /// The output lines without comment blocks (a block of `#` lines after a blank line) and without
        /// blank lines at either end.
        private static func expectedOutput(_ lines: [CodeLine]) -> (text: String, line: Int?) {
            var kept: [CodeLine] = []
            var index = 0
            while index < lines.count {
                var end = index
                while end < lines.count && !isBlank(lines[end].bytes) { end += 1 }
                let block = lines[index..<end]
                let commentBlock = index > 0 && !block.isEmpty && block.allSatisfy { TranscriptReader.isComment($0.bytes) }
                if !commentBlock { kept.append(contentsOf: block) }
                if end < lines.count { kept.append(lines[end]) }
                index = end + 1
            }
            while let last = kept.last, isBlank(last.bytes) { kept.removeLast() }
            while let first = kept.first, isBlank(first.bytes) { kept.removeFirst() }
            let text = kept.map { String(decoding: $0.bytes, as: UTF8.self) }.joined(separator: "\n")
            return (text, kept.first?.line)
        }
    }

    static func isBlank(_ bytes: ArraySlice<UInt8>) -> Bool { bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 } }

    static func isComment(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.first { $0 != 0x20 && $0 != 0x09 } == UInt8(ascii: "#")
    }

    static func isBlankOrComment(_ bytes: ArraySlice<UInt8>) -> Bool { isBlank(bytes) || isComment(bytes) }
}
