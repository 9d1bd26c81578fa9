/// What a code step's text holds: its form, its commands and, for shell, its examples and placeholders.
enum CodeStepReader {
    /// The literal's lines with their file positions; the literal starts on `firstLine`.
    static func lines(of literal: String, firstLine: Int, source: SourceText) -> [CodeLine] {
        let bytes = Array(literal.utf8)
        var out: [CodeLine] = []
        var start = 0
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
            let line = firstLine + out.count
            let text = bytes[start..<end]
            let fileLine = source.line(line)
            let column = fileLine.count >= text.count && fileLine.suffix(text.count).elementsEqual(text) ? fileLine.count - text.count + 1 : nil
            out.append(CodeLine(bytes: text, line: line, column: column))
            start = end + 1
        }
        return out
    }

    /// Splits a code step and reports what cannot be split or is not commands; `shell` for shell languages.
    static func read(_ literal: String, firstLine: Int, shell: Bool, language: String, source: SourceText, sink: inout DiagnosticSink) -> (
        SplitCode, StepLayout
    ) {
        let lines = lines(of: literal, firstLine: firstLine, source: source)
        guard shell else { return (TranscriptReader.script(lines, literal: literal), StepLayout()) }
        let split = TranscriptReader.split(lines, literal: literal)
        var layout = StepLayout(prompts: split.prompts, hasOutput: split.hasOutput, mixed: !split.findings.isEmpty)
        for finding in split.findings {
            sink.warning("transcript-mix", line: finding.line, column: finding.column, finding.message)
            if finding.message.contains("another program's prompt") { layout.example = .session }
        }
        if split.form == .script, let (kind, line) = ExampleClassifier.classify(lines, code: literal) {
            layout.example = kind
            let indent = line.bytes.prefix { $0 == 0x20 || $0 == 0x09 }.count
            var message = "this \(language) block \(kind.reason); tag the fence '\(kind.language)' so it is shown and never run (runbook adopt does this)"
            if kind == .comments {
                message += ", or, if the '# ' lines are commands typed at a root prompt, remove the '# ' so they run"
            }
            sink.warning("not-a-step", line: line.line, column: (line.column ?? 1) + indent, message)
        }
        return (split, layout)
    }

    /// The placeholders of a shell step: angle and marker tokens in its commands, then each reading of an
    /// undeclared variable (`reads`, from the params lint). `declared` names the declared params.
    static func placeholders(_ split: SplitCode, reads: [ReferenceLint.Reference], declared: Set<String>) -> [Placeholder] {
        var out: [Placeholder] = []
        for (index, command) in split.commands.enumerated() where PlaceholderScanner.mayHold(command.text) {
            for var placeholder in PlaceholderScanner.scan(command.text, pieces: split.pieces[index]) {
                placeholder.command = index
                placeholder.declared = declared.contains(placeholder.name)
                out.append(placeholder)
            }
        }
        for read in reads {
            if let placeholder = variable(read, in: split) { out.append(placeholder) }
        }
        return out.sorted { ($0.line, $0.column) < ($1.line, $1.column) }
    }

    /// `$NAME` or `${NAME}` (not `${NAME:-default}`) at the reading's position in a command.
    private static func variable(_ read: ReferenceLint.Reference, in split: SplitCode) -> Placeholder? {
        for (index, pieces) in split.pieces.enumerated() {
            guard let piece = pieces.first(where: { $0.line == read.line }), let column = piece.column else { continue }
            let text = Array(split.commands[index].text.utf8)
            let offset = piece.offset + read.column - column
            guard offset >= 0, offset < text.count, text[offset] == UInt8(ascii: "$") else { continue }
            let name = Array(read.name.utf8)
            let braced = offset + 1 < text.count && text[offset + 1] == UInt8(ascii: "{")
            let nameStart = offset + (braced ? 2 : 1)
            let end = nameStart + name.count + (braced ? 1 : 0)
            guard end <= text.count, text[nameStart..<(nameStart + name.count)].elementsEqual(name) else { continue }
            if braced && text[end - 1] != UInt8(ascii: "}") { return nil }
            return Placeholder(
                name: read.name, token: String(decoding: text[offset..<end], as: UTF8.self), kind: .variable,
                label: read.name.lowercased().replacingOccurrences(of: "_", with: " "), secret: PlaceholderScanner.looksSecret(read.name),
                declared: false, line: read.line, column: read.column, command: index, offset: offset, length: end - offset,
                quoting: PlaceholderScanner.quoting(in: split.commands[index].text, at: offset))
        }
        return nil
    }

    /// One warning per placeholder token and step, at its first occurrence; variables are the params lint's.
    static func report(_ placeholders: [Placeholder], step key: String, sink: inout DiagnosticSink) {
        var seen = Set<String>()
        for p in placeholders where p.kind != .variable && seen.insert(p.token).inserted {
            let settings = p.secret ? "required: true, secret: true" : "required: true"
            if p.declared {
                sink.warning(
                    "placeholder-for-param", line: p.line, column: p.column,
                    "'\(p.token)' in step '\(key)' stands for the declared param \(p.name): runbook run fills in its value, but the code does not run anywhere else\(p.kind == .angle ? " (bash reads '<' as a redirection)" : ""); write \"${\(p.name)}\" in its place (runbook adopt does this)"
                )
            } else {
                sink.warning(
                    "undeclared-placeholder", line: p.line, column: p.column,
                    "'\(p.token)' in step '\(key)' is a placeholder to fill in, not shell\(p.kind == .angle ? " (bash reads '<' as a redirection)" : ""); declare a param \(p.name) (\(settings)) and write \"${\(p.name)}\" in its place, or run 'runbook adopt' to do both"
                )
            }
        }
    }

    /// Every placeholder name once, with the steps that hold it.
    static func summary(_ steps: [Step]) -> [PlaceholderSummary] {
        var out: [PlaceholderSummary] = []
        var index: [String: Int] = [:]
        for step in steps {
            for p in step.placeholders {
                if let i = index[p.name] {
                    if out[i].steps.last != step.key { out[i].steps.append(step.key) }
                    out[i].secret = out[i].secret || p.secret
                } else {
                    index[p.name] = out.count
                    out.append(
                        PlaceholderSummary(
                            name: p.name, label: p.label, secret: p.secret, declared: p.declared, steps: [step.key], line: p.line, column: p.column))
                }
            }
        }
        return out
    }
}
