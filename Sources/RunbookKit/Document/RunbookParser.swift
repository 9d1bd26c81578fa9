import Foundation

/// Reads a runbook file into a `Runbook`: byte checks, front matter, cmark, steps, keys, lint.
///
/// Parsing never throws for bad content: every problem becomes a `Diagnostic`.
/// Only an unreadable file throws.
public enum RunbookParser {
    /// Reads and parses the file at `path`.
    public static func parse(path: String) throws(FileReadError) -> Runbook {
        switch try readRegularFile(path, limit: SourceText.sizeLimit) {
        case .bytes(let bytes): return parse(bytes: bytes, path: path)
        case .tooLarge(let size): return oversize(path: path, size: size)
        }
    }

    /// Parses runbook bytes; `path` is used in diagnostics. cmark reads them in pieces of about
    /// `pieceBytes` (tests try small ones).
    public static func parse(bytes: [UInt8], path: String, pieceBytes: Int = pieceBytes) -> Runbook {
        if bytes.count > SourceText.sizeLimit { return oversize(path: path, size: bytes.count) }
        var builder = Builder(path: path, raw: bytes, pieceBytes: pieceBytes)
        return builder.build()
    }

    private static func oversize(path: String, size: Int) -> Runbook {
        var sink = DiagnosticSink(path: path)
        sink.error(
            "file-too-large", line: 1,
            "file is \(size) bytes, over the limit of \(SourceText.sizeLimit) bytes (20 MiB); split the runbook into smaller files")
        return Runbook(
            path: path, sha256: "", byteCount: size, rawBytes: [], title: nil, description: nil, params: [],
            defaults: Defaults(), sections: [], steps: [], references: [], diagnostics: sink.sorted)
    }
}

private struct Builder {
    let path: String
    let raw: [UInt8]
    var sink: DiagnosticSink
    var source: SourceText
    /// The source's bytes, which the steps' prose and code are stretches of (`FileText`).
    let fileBytes: FileBytes
    var frontMatter = FrontMatter()

    var sections: [Section] = []
    var steps: [Step] = []
    var references: [ReferenceBlock] = []
    var firstH1: String?
    /// Transcript steps split into commands, by step index (a script's one command needs no record).
    var splits: [Int: SplitCode] = [:]
    /// Indices of the code steps in a shell language.
    var shellSteps: [Int] = []
    var layout = SourceLayout()
    var undeclaredReads: [ReferenceLint.Reference] = []
    var passages: [Passage] = []
    var rehearseFor = RehearseForBlocks()

    /// The size of the pieces cmark parses the body in.
    let pieceBytes: Int

    init(path: String, raw: [UInt8], pieceBytes: Int) {
        self.path = path
        self.raw = raw
        self.pieceBytes = pieceBytes
        var sink = DiagnosticSink(path: path)
        self.source = SourceText(raw: raw, sink: &sink)
        self.fileBytes = FileBytes(source.bytes)
        self.sink = sink
    }

    mutating func build() -> Runbook {
        frontMatter = FrontMatter.read(source, sink: &sink)
        walk()
        for i in passages.indices where (passages[i].beforeStep ?? 0) > steps.count { passages[i].beforeStep = nil }
        rehearseFor.attach(to: &steps, sink: &sink)
        checkKeys()
        undeclaredReads = ReferenceLint(steps: steps, frontMatter: frontMatter, source: source, splits: splits).run(into: &sink)
        attachPlaceholders(undeclaredReads)
        if steps.isEmpty {
            sink.warning(
                "no-steps", line: 1,
                "runbook has no steps: no fenced block in a runnable language (\(StepLanguages.interpreters.keys.sorted().joined(separator: ", "))) and no task item '- [ ]'"
            )
        }
        var runbook = Runbook(
            path: path, sha256: SHA256.hex(raw), byteCount: raw.count, rawBytes: raw,
            title: frontMatter.title ?? firstH1, description: frontMatter.description,
            params: frontMatter.params, defaults: frontMatter.defaults, sections: sections, steps: steps,
            references: references, diagnostics: sink.sorted)
        runbook.placeholders = CodeStepReader.summary(steps)
        runbook.passages = passages
        layout.frontMatter = frontMatter.layout
        layout.undeclaredReads = undeclaredReads
        runbook.layout = layout
        return runbook
    }

    /// Gives each shell step its placeholders and reports them; `reads` are the undeclared variables.
    private mutating func attachPlaceholders(_ reads: [ReferenceLint.Reference]) {
        let declared = Set(frontMatter.params.map(\.name))
        var readsByStep: [Int: [ReferenceLint.Reference]] = [:]
        for read in reads { readsByStep[read.step, default: []].append(read) }
        for index in shellSteps {
            let stepReads = readsByStep[index] ?? []
            guard let code = steps[index].code, !stepReads.isEmpty || PlaceholderScanner.mayHold(code) else { continue }
            let split =
                splits[index]
                ?? TranscriptReader.script(CodeStepReader.lines(of: code, firstLine: steps[index].line + 1, source: source), literal: code)
            let found = CodeStepReader.placeholders(split, reads: stepReads, declared: declared)
            guard !found.isEmpty else { continue }
            steps[index].placeholders = found
            CodeStepReader.report(found, step: steps[index].key, sink: &sink)
        }
    }

    /// The normalised bytes after the front matter; cmark reads them after as many blank lines
    /// as the front matter has, so its line numbers stay the file's.
    private var body: ArraySlice<UInt8> {
        guard frontMatter.lastLine > 0 else { return source.bytes[...] }
        let cut = source.lineRange(frontMatter.lastLine).upperBound
        return cut < source.bytes.count ? source.bytes[(cut + 1)...] : []
    }

    // MARK: Walking the blocks

    /// What the walk over the blocks carries from one block to the next.
    private struct WalkState {
        /// Task items that hold a runnable code block: headers for that code, not manual steps.
        var taskHoldsCode = Set<Int>()
        var taskTexts: [Int: String] = [:]
        var info = InfoString(language: "", attributes: [], errors: [], hasAttributeBlock: false)  // reused from block to block
        var headingStack: [(level: Int, slug: String)] = []
        var currentSection: Int?
        var ordinals = [0]  // steps so far at the top (index 0) and in each section (index + 1)
        var boundary: Int  // prose for the next step starts after this line
        var boundaryIsStep = false  // the boundary is a step's last line (not a heading)

        /// The next step's 1-based position within the current section (or the top).
        mutating func nextOrdinal() -> Int {
            let slot = currentSection.map { $0 + 1 } ?? 0
            ordinals[slot] += 1
            return ordinals[slot]
        }
    }

    /// Makes steps, sections, passages and references of the blocks, one block at a time: no
    /// array of every block is kept while the steps are made.
    private mutating func walk() {
        var state = WalkState(boundary: frontMatter.lastLine)
        steps.reserveCapacity(StepCountEstimate.count(body))
        CommonMarkConverter.convert(body, afterBlankLines: frontMatter.lastLine, pieceBytes: pieceBytes) { survey in
            for (task, info) in survey.codeInTaskItems
            where isRunnable(InfoStringParser.language(of: info)) && !RehearseForBlocks.isTagged(info: info) {
                state.taskHoldsCode.insert(task)
            }
        } visit: { block in
            switch block {
            case .heading(let heading): addSection(heading, &state)
            case .taskItem(let item): addManualStep(item, &state)
            case .codeBlock(let block): addCodeBlock(block, &state)
            }
        }
        keepPassage(before: source.lineCount + 1, &state)
    }

    /// Prose between the boundary and `line` (a heading, or the end of the file) that no step
    /// takes: kept as a passage, shown before the next step or at the end of the run.
    private mutating func keepPassage(before line: Int, _ state: inout WalkState) {
        guard let (first, last) = proseLines(after: state.boundary, before: line) else { return }
        passages.append(
            Passage(
                text: FileText(fileBytes, source.textRange(lines: first, last)), line: first, endLine: last, section: state.currentSection,
                beforeStep: steps.count + 1, endsSection: state.boundaryIsStep))
    }

    private mutating func addSection(_ heading: MarkdownBlock.Heading, _ state: inout WalkState) {
        keepPassage(before: heading.line, &state)
        while let top = state.headingStack.last, top.level >= heading.level { state.headingStack.removeLast() }
        var slug = slugify(heading.text)
        if slug.isEmpty { slug = "untitled" }
        state.headingStack.append((heading.level, slug))
        let section = Section(
            index: sections.count, level: heading.level, title: heading.text,
            path: state.headingStack.map(\.slug).joined(separator: "/"), line: heading.line)
        sections.append(section)
        state.ordinals.append(0)
        state.currentSection = section.index
        if heading.level == 1 && firstH1 == nil { firstH1 = heading.text }
        state.boundary = max(state.boundary, heading.line)
        state.boundaryIsStep = false
    }

    private mutating func addManualStep(_ item: MarkdownBlock.TaskItem, _ state: inout WalkState) {
        state.taskTexts[item.ordinal] = item.text
        guard !state.taskHoldsCode.contains(item.ordinal) else { return }
        let ordinal = state.nextOrdinal()
        var text = item.text
        var attributes = StepAttributes()
        if let (plain, attrs) = manualAttributes(item) {
            text = plain
            attributes = attrs
        }
        let (key, source) = makeKey(attributes, section: state.currentSection, ordinal: ordinal)
        steps.append(
            Step(
                number: steps.count + 1, key: key, keySource: source, kind: .manual,
                line: item.line, column: item.column, endLine: item.endLine, section: state.currentSection,
                title: text.isEmpty ? "(empty task)" : text,
                prose: prose(after: state.boundary, before: item.line), language: nil, interpreter: nil,
                code: nil, attributes: attributes, checked: item.checked))
        if text.isEmpty {
            sink.warning("empty-task", line: item.line, column: item.column, "task item has no text; the operator will not know what to confirm")
        }
        state.boundary = max(state.boundary, item.line)
        state.boundaryIsStep = true
    }

    private mutating func addCodeBlock(_ block: MarkdownBlock.CodeBlock, _ state: inout WalkState) {
        let fence = fenceShape(block)
        reportUnclosedFence(block, fence: fence)
        // Attributes are read from the file's own line, not cmark's info string: cmark drops
        // backslash escapes (\") and decodes entities, which would change values and columns.
        InfoStringParser.parse(fence.fenced ? rawInfo(block, fence: fence) : block.info, into: &state.info)
        let interpreter = StepLanguages.interpreter(for: state.info.language, shell: frontMatter.defaults.shell)
        if fence.fenced && RehearseForBlocks.isTagged(state.info) {
            // The block and the prose above it are its step's rehearsal, not the next step's prose.
            let position = (block.line, block.column, block.endLine)
            let text = (literal: block.literal, prose: prose(after: state.boundary, before: block.line).string)
            rehearseFor.add(state.info, text: text, at: position, infoColumn: fence.infoColumn, interpreter: interpreter, sink: &sink)
            state.boundary = max(state.boundary, block.endLine)
            return
        }
        guard fence.fenced, let interpreter else {
            addReference(block, fenced: fence.fenced, info: state.info, section: state.currentSection)
            return
        }
        let attributes = checkAttributes(state.info, line: block.line, infoColumn: fence.infoColumn)
        let ordinal = state.nextOrdinal()
        let (key, keySource) = makeKey(attributes, section: state.currentSection, ordinal: ordinal)
        let title =
            block.taskItem.flatMap { state.taskTexts[$0] }
            ?? state.currentSection.map { sections[$0].title } ?? frontMatter.title ?? "step \(steps.count + 1)"
        let shell = StepLanguages.shellLike.contains(state.info.language.lowercased())
        let (split, stepLayout) = CodeStepReader.read(
            block.literal, firstLine: block.line + 1, shell: shell, language: state.info.language, source: source, sink: &sink)
        if split.form == .transcript { splits[steps.count] = split }
        if shell {
            shellSteps.append(steps.count)
            if stepLayout.example != nil || !stepLayout.prompts.isEmpty || stepLayout.mixed { layout.steps[steps.count] = stepLayout }
        }
        steps.append(
            Step(
                number: steps.count + 1, key: key, keySource: keySource, kind: .code,
                line: block.line, column: block.column, endLine: block.endLine, section: state.currentSection,
                title: title, prose: prose(after: state.boundary, before: block.line),
                language: state.info.language, interpreter: interpreter,
                code: FileText(block.literal, in: fileBytes, at: source.lineRange(block.line + 1).lowerBound),
                attributes: attributes, checked: nil, form: split.form,
                commands: split.commands))
        if block.literal.utf8.allSatisfy(isSpaceByte) {
            sink.warning("empty-step", line: block.line, column: block.column, "code step is empty; remove it or add the commands it should run")
        }
        state.boundary = max(state.boundary, block.endLine)
        state.boundaryIsStep = true
    }

    /// A fence that is never closed, or whose closing fence cmark took from a later block.
    private mutating func reportUnclosedFence(_ block: MarkdownBlock.CodeBlock, fence: FenceShape) {
        if fence.fenced && !fence.closed {
            let swallowed = block.endLine - block.line
            sink.error(
                "unclosed-fence", line: block.line, column: block.column,
                "code block opened here is never closed; cmark makes the \(swallowed) line(s) after it, up to line \(block.endLine), part of this block (later headings and steps included). Add a closing \(fence.marker) line"
            )
        }
        if fence.fenced && fence.closed, let swallowedAt = swallowedOpener(block, fence: fence) {
            sink.error(
                "unclosed-fence", line: block.line, column: block.column,
                "code block opened here is never closed before line \(swallowedAt), which opens another code block; cmark reads that block as part of this one (and its closing fence closes this one). Add the missing \(fence.marker) line, or open this block with a longer fence if it really holds a fence"
            )
        }
    }

    /// Records a block that never runs; attributes on a fenced one get a warning.
    private mutating func addReference(_ block: MarkdownBlock.CodeBlock, fenced: Bool, info: InfoString, section: Int?) {
        references.append(
            ReferenceBlock(
                language: info.language, form: fenced ? "fenced" : "indented",
                line: block.line, endLine: block.endLine, section: section))
        if fenced && info.hasAttributeBlock {
            sink.warning("reference-with-attributes", line: block.line, column: block.column, StepLanguages.neverRuns(info))
        }
    }

    /// A code step's typed attributes; syntax errors and attribute findings go to the sink.
    private mutating func checkAttributes(_ info: InfoString, line: Int, infoColumn: Int) -> StepAttributes {
        for error in info.errors {
            sink.error("malformed-attributes", line: line, column: infoColumn + error.offset, error.message)
        }
        let (attributes, findings) = AttributeChecker.check(info.attributes, columnBase: infoColumn)
        for finding in findings {
            sink.add(finding.severity, finding.rule, line: line, column: infoColumn + finding.offset, finding.message)
        }
        return attributes
    }

    private func isRunnable(_ language: String) -> Bool {
        StepLanguages.interpreters[language.lowercased()] != nil
    }

    private func makeKey(_ attributes: StepAttributes, section: Int?, ordinal: Int) -> (String, KeySource) {
        if let id = attributes.id { return (id, .id) }
        let base = section.map { sections[$0].path }
        if let name = attributes.name { return (base.map { "\($0)/\(name)" } ?? name, .name) }
        return ("\(base ?? "top")#\(ordinal)", .ordinal)
    }

    /// The source lines strictly between `boundary` and `line`, trimmed of blank lines.
    private func prose(after boundary: Int, before line: Int) -> FileText {
        guard let (first, last) = proseLines(after: boundary, before: line) else { return FileText("") }
        return FileText(fileBytes, source.textRange(lines: first, last))
    }

    /// The first and last line that are not blank strictly between `boundary` and `line`, if any.
    private func proseLines(after boundary: Int, before line: Int) -> (Int, Int)? {
        var first = boundary + 1
        var last = min(line - 1, source.lineCount)
        func blank(_ n: Int) -> Bool { source.line(n).allSatisfy { $0 == 0x20 || $0 == 0x09 } }
        while first <= last && blank(first) { first += 1 }
        while last >= first && blank(last) { last -= 1 }
        return first <= last ? (first, last) : nil
    }

    /// A trailing `{id=… name=… skip}` on a task item's text. Braces that hold no `=` and are not
    /// `{skip}` are plain text (`Restart the unit {service}`).
    private mutating func manualAttributes(_ item: MarkdownBlock.TaskItem) -> (String, StepAttributes)? {
        let text = item.text
        guard text.hasSuffix("}"), let open = text.range(of: " {", options: .backwards) ?? (text.hasPrefix("{") ? text.range(of: "{") : nil) else {
            return nil
        }
        let braceStart = text[open].hasPrefix(" ") ? text.index(after: open.lowerBound) : open.lowerBound
        let inner = text[text.index(after: braceStart)..<text.index(before: text.endIndex)]
        guard inner.contains("=") || inner.trimmingCharacters(in: .whitespaces) == "skip" else { return nil }
        // Columns count from the brace as it stands in the file.
        let braceColumn = braceColumnInFile(item) ?? item.column
        let prefix = "task "
        let base = braceColumn - prefix.utf8.count
        let info = InfoStringParser.parse(prefix + String(text[braceStart...]))
        let line = item.line
        for error in info.errors { sink.error("malformed-attributes", line: line, column: base + error.offset, error.message) }
        var allowed: [RawAttribute] = []
        for attribute in info.attributes {
            if ["id", "name", "skip"].contains(attribute.key) {
                allowed.append(attribute)
            } else {
                sink.error(
                    "bad-manual-attribute", line: line, column: base + attribute.offset,
                    "attribute '\(attribute.key)' does not apply to a manual step (task items take id, name and skip)")
            }
        }
        let (attributes, findings) = AttributeChecker.check(allowed, columnBase: base)
        for finding in findings { sink.add(finding.severity, finding.rule, line: line, column: base + finding.offset, finding.message) }
        return (String(text[..<open.lowerBound]).trimmingSpaces(), attributes)
    }

    /// Column of the last `{` on the task item's first line, where its attributes start.
    private func braceColumnInFile(_ item: MarkdownBlock.TaskItem) -> Int? {
        let line = source.line(item.line)
        guard let brace = line.lastIndex(of: UInt8(ascii: "{")) else { return nil }
        return brace - line.startIndex + 1
    }

    /// The info string exactly as written on the fence line.
    private func rawInfo(_ block: MarkdownBlock.CodeBlock, fence: FenceShape) -> String {
        let line = source.line(block.line)
        let start = line.startIndex + fence.infoColumn - 1
        guard start < line.endIndex else { return "" }
        var end = line.endIndex
        while end > start && (line[end - 1] == 0x20 || line[end - 1] == 0x09) { end -= 1 }
        return String(decoding: line[start..<end], as: UTF8.self)
    }

    /// The file line of the first line inside a fenced block that opens another fence of the same kind
    /// (same character, at least as long, with an info string): the sign of a missing closing fence
    /// that cmark silently papered over with the next block's closing fence.
    private func swallowedOpener(_ block: MarkdownBlock.CodeBlock, fence: FenceShape) -> Int? {
        guard block.endLine - block.line >= 2 else { return nil }
        for n in (block.line + 1)..<block.endLine {
            let line = source.line(n)
            var i = line.startIndex
            while i < line.endIndex && (line[i] == 0x20 || line[i] == 0x09 || line[i] == UInt8(ascii: ">")) { i += 1 }
            var run = 0
            while i < line.endIndex && line[i] == fence.markerByte {
                run += 1
                i += 1
            }
            guard run >= fence.markerLength else { continue }
            while i < line.endIndex && (line[i] == 0x20 || line[i] == 0x09) { i += 1 }
            if i < line.endIndex { return n }
        }
        return nil
    }

    // MARK: Fences

    private struct FenceShape {
        var fenced: Bool
        var closed: Bool
        /// The fence character and how many of it open the block.
        var markerByte: UInt8
        var markerLength: Int
        /// Column of the first byte of the info string (the fence's column when there is none).
        var infoColumn: Int

        /// The opening fence, e.g. "```".
        var marker: String { String(repeating: String(UnicodeScalar(markerByte)), count: markerLength) }
    }

    /// Whether the block is fenced (cmark 0.30 cannot say) and whether its fence is closed,
    /// read from the source lines.
    private func fenceShape(_ block: MarkdownBlock.CodeBlock) -> FenceShape {
        let line = source.line(block.line)
        var i = line.startIndex + max(block.column - 1, 0)
        while i < line.endIndex && (line[i] == 0x20 || line[i] == 0x09) { i += 1 }
        let fenceStart = i
        guard i < line.endIndex, line[i] == UInt8(ascii: "`") || line[i] == UInt8(ascii: "~") else {
            return FenceShape(fenced: false, closed: true, markerByte: 0, markerLength: 0, infoColumn: block.column)
        }
        let char = line[i]
        while i < line.endIndex && line[i] == char { i += 1 }
        let length = i - fenceStart
        guard length >= 3 else { return FenceShape(fenced: false, closed: true, markerByte: 0, markerLength: 0, infoColumn: block.column) }
        let lineStart = line.startIndex
        var infoStart = i
        while infoStart < line.endIndex && (line[infoStart] == 0x20 || line[infoStart] == 0x09) { infoStart += 1 }
        if block.info.isEmpty {
            // An indented block whose first line looks like a fence: its literal starts with that line.
            let firstLiteralLine = block.literal.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            if firstLiteralLine.trimmingSpaces() == String(decoding: line[fenceStart...], as: UTF8.self).trimmingSpaces() {
                return FenceShape(fenced: false, closed: true, markerByte: 0, markerLength: 0, infoColumn: block.column)
            }
        }
        var closed = false
        if block.endLine > block.line {
            let end = source.line(block.endLine)
            var j = end.startIndex
            while j < end.endIndex && (end[j] == 0x20 || end[j] == 0x09 || end[j] == UInt8(ascii: ">")) { j += 1 }
            var run = 0
            while j < end.endIndex && end[j] == char {
                run += 1
                j += 1
            }
            while j < end.endIndex && (end[j] == 0x20 || end[j] == 0x09) { j += 1 }
            closed = run >= length && j == end.endIndex
        }
        return FenceShape(fenced: true, closed: closed, markerByte: char, markerLength: length, infoColumn: infoStart - lineStart + 1)
    }

    // MARK: Keys

    private mutating func checkKeys() {
        let firstUse = DuplicateKeys.firstUses(in: steps)
        for index in steps.indices {
            // Fields read one by one: copying the whole Step would retain every string in it.
            let key = steps[index].key
            let keySource = steps[index].keySource
            let line = steps[index].line
            let column = steps[index].column
            if let firstIndex = firstUse[index] {
                let first = (line: steps[firstIndex].line, column: steps[firstIndex].column)
                let how = keySource == .id ? "id" : "name"
                sink.error(
                    "duplicate-key", line: line, column: column,
                    "step key '\(key)' is already used by the step at line \(first.line); give this step a different \(how)= (keys must be unique so a resumed run finds each step)"
                )
                sink.error(
                    "duplicate-key", line: first.line, column: first.column,
                    "step key '\(key)' is used again by the step at line \(line)")
            }
            if keySource == .ordinal {
                let hint = steps[index].kind == .code ? "add {id=...} after the language" : "end the task text with {id=...}"
                sink.warning(
                    "unstable-key", line: line, column: column,
                    "step has no id or name, so its key '\(key)' changes when a step is added above it and a resumed run could lose track of it; \(hint)")
            }
        }
    }
}

extension InfoStringParser {
    /// Just the language word of an info string.
    static func language(of info: String) -> String {
        let trimmed = info.drop { $0 == " " || $0 == "\t" }
        return String(trimmed.prefix { $0 != " " && $0 != "\t" && $0 != "{" })
    }
}
