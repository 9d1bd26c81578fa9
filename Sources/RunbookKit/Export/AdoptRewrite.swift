/// Something `adopt` left as it was, with why and what to do; at a file position.
public struct AdoptNote: Sendable, Hashable {
    /// 1-based line.
    public var line: Int
    /// 1-based column (UTF-8 bytes).
    public var column: Int
    /// Lower-case text: what was left and what to do.
    public var message: String
}

/// What `runbook adopt` made of a file.
public struct AdoptResult: Sendable {
    /// The file's bytes as read.
    public let original: [UInt8]
    /// The rewritten bytes; equal to `original` when nothing needed to change.
    public let adopted: [UInt8]
    /// What was left as it was, in file order.
    public let notes: [AdoptNote]
    let oldLines: [[UInt8]]
    let changes: [LineChange]
    let missingFinalNewline: Bool

    /// Whether the rewrite differs from the file.
    public var changed: Bool { original != adopted }

    /// The change as a unified diff (`--- oldName`, `+++ newName`); empty when nothing changed.
    public func diff(from oldName: String, to newName: String) -> String {
        UnifiedDiff.render(old: oldLines, changes: changes, oldName: oldName, newName: newName, oldMissingFinalNewline: missingFinalNewline)
    }
}

/// Rewrites a runbook written for people into one `runbook run` can run, changing nothing outside its
/// steps and front matter: a stable `id=` on every step, prompts removed from transcripts that show no
/// output, placeholders made into declared params, and examples re-tagged so they never run.
public enum AdoptRewrite {
    /// The rewrite of `runbook`, which must have no errors (its structure would be in doubt).
    public static func adopt(_ runbook: Runbook) -> AdoptResult {
        var editor = LineEditor(EditableLines(runbook.rawBytes))
        var ids = IDMaker(runbook)
        var params = ParamCollector(declared: Set(runbook.params.map(\.name)))
        let canDeclare = runbook.layout.frontMatter.editable || runbook.layout.frontMatter.closingLine == 0
        for (index, step) in runbook.steps.enumerated() {
            switch step.kind {
            case .manual:
                if step.keySource == .ordinal {
                    let line = addTaskID(step, id: ids.next(for: step), editor: &editor)
                    ids.given.append((line, ids.last))
                }
            case .code:
                let layout = runbook.layout.steps[index] ?? StepLayout()
                if let example = layout.example {
                    retag(step, as: example.language, editor: &editor)
                    continue
                }
                if step.keySource == .ordinal {
                    addFenceID(step, id: ids.next(for: step), editor: &editor)
                    ids.given.append((step.line, ids.last))
                }
                adoptCommands(step, layout: layout, editor: &editor)
                if canDeclare {
                    fillPlaceholders(step, params: &params, editor: &editor)
                } else if !step.placeholders.isEmpty {
                    editor.note(
                        step.line, step.column,
                        "the front matter is not YAML adopt can add to, so the placeholders of step '\(step.key)' stay; declare them under 'params:' by hand")
                }
            }
        }
        if canDeclare {
            for read in runbook.layout.undeclaredReads { params.add(name: read.name) }
        }
        if !params.entries.isEmpty { FrontMatterParams.add(params.entries, layout: runbook.layout.frontMatter, editor: &editor) }
        return verified(editor, ids: ids.given, path: runbook.path)
    }

    /// The result, after parsing it again: an id that did not take (a task whose text goes on in a way
    /// adopt misread) is taken back with a note; a result with errors is not given at all.
    private static func verified(_ editor: LineEditor, ids: [(line: Int, id: String)], path: String) -> AdoptResult {
        var editor = editor
        var result = editor.result()
        var after = RunbookParser.parse(bytes: result.adopted, path: path)
        let keys = Set(after.steps.map(\.key))
        let missing = ids.filter { !keys.contains($0.id) }
        if !missing.isEmpty {
            for (line, id) in missing {
                editor.dropEdits(line: line)
                editor.note(
                    line, 1,
                    "adopt could not give this step the id '\(id)' (its text goes on in a way adopt cannot follow); end its text with {id=\(id)} by hand")
            }
            result = editor.result()
            after = RunbookParser.parse(bytes: result.adopted, path: path)
        }
        guard !after.hasErrors else {
            var unchanged = LineEditor(EditableLines(result.original))
            for error in after.diagnostics where error.severity == .error {
                unchanged.note(error.line, error.column, "adopt's rewrite would have this error, so nothing was changed: \(error.message)")
            }
            return unchanged.result()
        }
        return result
    }

    /// Strips the prompts of a transcript that shows no output; notes one whose lines cannot be split.
    private static func adoptCommands(_ step: Step, layout: StepLayout, editor: inout LineEditor) {
        guard step.form == .transcript else { return }
        if layout.mixed {
            editor.note(
                step.line, step.column,
                "step '\(step.key)' mixes commands and other lines adopt cannot tell apart (see 'runbook check'); put '$ ' before each command by hand")
            return
        }
        guard !layout.hasOutput else { return }
        for mark in layout.prompts {
            guard let column = mark.column, editor.removePrompt(line: mark.line, column: column, length: mark.length) else {
                editor.note(mark.line, mark.column ?? 1, "cannot find this line's prompt in the file; remove it by hand")
                continue
            }
        }
    }

    /// Replaces each placeholder token with a reference to its param, quoted for where it stands.
    private static func fillPlaceholders(_ step: Step, params: inout ParamCollector, editor: inout LineEditor) {
        for placeholder in step.placeholders {
            if placeholder.kind == .variable {
                params.add(placeholder)
                continue
            }
            if placeholder.quoting == .literalHeredoc {
                editor.note(
                    placeholder.line, placeholder.column,
                    "'\(placeholder.token)' is in a heredoc whose delimiter is quoted, where a variable does not expand; fill it in by hand or unquote the delimiter"
                )
                continue
            }
            if editor.replacePlaceholder(placeholder) {
                params.add(placeholder)
            } else {
                editor.note(placeholder.line, placeholder.column, "cannot find '\(placeholder.token)' here in the file; replace it by hand")
            }
        }
    }

    /// Sets the fence's language to `language` and drops its attributes (a block that never runs has none).
    private static func retag(_ step: Step, as language: String, editor: inout LineEditor) {
        guard let fence = FenceLine(editor.line(step.line), column: step.column, language: step.language ?? "") else {
            editor.note(step.line, step.column, "cannot read this fence line; tag it '\(language)' by hand")
            return
        }
        editor.replace(line: step.line, start: fence.languageStart, length: fence.end - fence.languageStart, with: Array(language.utf8))
    }

    /// `bash` → `bash {id=x}`, `bash {timeout=1m}` → `bash {id=x timeout=1m}`, `sh {"a":1}` → `sh {"id":"x","a":1}`.
    private static func addFenceID(_ step: Step, id: String, editor: inout LineEditor) {
        guard let fence = FenceLine(editor.line(step.line), column: step.column, language: step.language ?? "") else {
            editor.note(step.line, step.column, "cannot read this fence line; add {id=\(id)} after its language by hand")
            return
        }
        guard let brace = fence.braceAt else {
            editor.replace(line: step.line, start: fence.languageEnd, length: 0, with: Array(" {id=\(id)}".utf8))
            return
        }
        editor.replace(line: step.line, start: brace + 1, length: 0, with: Array(idInsertion(id, after: editor.line(step.line)[(brace + 1)...]).utf8))
    }

    /// What goes right after a block's `{`: `id=x ` (or `id=x` before `}`), `"id":"x",` in a JSON block.
    private static func idInsertion(_ id: String, after rest: ArraySlice<UInt8>) -> String {
        let next = rest.first { $0 != 0x20 && $0 != 0x09 }
        if next == UInt8(ascii: "\"") { return "\"id\":\"\(id)\"," }
        return next == UInt8(ascii: "}") || next == nil ? "id=\(id)" : "id=\(id) "
    }

    /// `- [ ] Drain the node` → `- [ ] Drain the node {id=drain-the-node}`, at the end of the task's
    /// first paragraph (its text may go on over several lines).
    /// Returns the line it edited.
    private static func addTaskID(_ step: Step, id: String, editor: inout LineEditor) -> Int {
        var last = step.line
        while last < step.endLine, continuesParagraph(editor.line(last + 1)) { last += 1 }
        let line = editor.line(last)
        if !step.attributes.written.isEmpty, let brace = line.lastIndex(of: UInt8(ascii: "{")) {
            editor.replace(line: last, start: brace + 1, length: 0, with: Array(idInsertion(id, after: line[(brace + 1)...]).utf8))
            return last
        }
        var end = line.count
        while end > 0 && (line[end - 1] == 0x20 || line[end - 1] == 0x09) { end -= 1 }
        editor.replace(line: last, start: end, length: 0, with: Array(" {id=\(id)}".utf8))
        return last
    }

    /// Whether a line goes on with the paragraph above it, rather than start a list item, a quote, a
    /// heading or a fence, or be blank.
    private static func continuesParagraph(_ line: [UInt8]) -> Bool {
        let text = String(decoding: line, as: UTF8.self).trimmingSpaces()
        guard let first = text.first else { return false }
        if ["-", "*", "+"].contains(first) { return !(text.dropFirst().first.map { $0 == " " || $0 == "\t" } ?? true) }
        if first == ">" || first == "#" || text.hasPrefix("```") || text.hasPrefix("~~~") { return false }
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        if !digits.isEmpty, let after = text.dropFirst(digits.count).first, after == "." || after == ")" { return false }
        return true
    }
}

/// The parts of a fence's opening line: `` ```bash {id=x} ``.
struct FenceLine {
    /// Byte offsets in the line (0-based): the language word, the `{` of the attributes if any, the end of the text.
    var languageStart: Int
    var languageEnd: Int
    var braceAt: Int?
    var end: Int

    /// Reads the fence that starts at 1-based `column`; nil when the line does not hold `language` there.
    init?(_ line: [UInt8], column: Int, language: String) {
        var i = max(column - 1, 0)
        while i < line.count && (line[i] == 0x20 || line[i] == 0x09) { i += 1 }
        guard i < line.count, line[i] == UInt8(ascii: "`") || line[i] == UInt8(ascii: "~") else { return nil }
        let marker = line[i]
        while i < line.count && line[i] == marker { i += 1 }
        while i < line.count && (line[i] == 0x20 || line[i] == 0x09) { i += 1 }
        let word = Array(language.utf8)
        guard !word.isEmpty, line[i...].starts(with: word) else { return nil }
        languageStart = i
        languageEnd = i + word.count
        var j = languageEnd
        while j < line.count && (line[j] == 0x20 || line[j] == 0x09) { j += 1 }
        braceAt = j < line.count && line[j] == UInt8(ascii: "{") ? j : nil
        end = line.count
        while end > languageEnd && (line[end - 1] == 0x20 || line[end - 1] == 0x09) { end -= 1 }
        if braceAt == nil && end > languageEnd { return nil }  // other words after the language: leave the line alone
    }
}

/// Stable ids for steps that have none: the slug of the step's heading (a task's own text), made
/// unique with `-2`, `-3`.
struct IDMaker {
    private var used: Set<String>
    private let sections: [Section]
    /// The id `next` gave last.
    private(set) var last = ""
    /// Each id given, with the line of its step (a task's first line or a fence's).
    var given: [(line: Int, id: String)] = []

    init(_ runbook: Runbook) {
        used = Set(runbook.steps.map(\.key))
        sections = runbook.sections
    }

    mutating func next(for step: Step) -> String {
        let words = step.kind == .manual ? step.title : step.section.map { sections[$0].title } ?? "step"
        var base = String(slugify(words).unicodeScalars.filter { $0.isASCII }.map(Character.init))
        while base.contains("--") { base = base.replacingOccurrences(of: "--", with: "-") }
        while base.hasPrefix("-") { base.removeFirst() }
        while base.hasSuffix("-") { base.removeLast() }
        if base.utf8.count > 48 {
            let cut = String(base.prefix(48))
            base = cut.contains("-") ? String(cut[..<(cut.lastIndex(of: "-") ?? cut.endIndex)]) : cut
        }
        if base.isEmpty || !isStepIdentifier(base) { base = "step" }
        var id = base
        var n = 2
        while used.contains(id) {
            id = "\(base)-\(n)"
            n += 1
        }
        used.insert(id)
        last = id
        return id
    }
}

/// The params `adopt` declares, once each, in order of first use.
struct ParamCollector {
    struct Entry {
        var name: String
        var label: String
        var secret: Bool
    }
    let declared: Set<String>
    private(set) var entries: [Entry] = []

    mutating func add(_ placeholder: Placeholder) {
        guard !declared.contains(placeholder.name) else { return }
        if let i = entries.firstIndex(where: { $0.name == placeholder.name }) {
            entries[i].secret = entries[i].secret || placeholder.secret
        } else {
            entries.append(Entry(name: placeholder.name, label: placeholder.label, secret: placeholder.secret))
        }
    }

    /// A variable a step reads that nothing declares or sets (in any language).
    mutating func add(name: String) {
        guard !declared.contains(name), !entries.contains(where: { $0.name == name }) else { return }
        entries.append(Entry(name: name, label: name.lowercased().replacingOccurrences(of: "_", with: " "), secret: PlaceholderScanner.looksSecret(name)))
    }
}
