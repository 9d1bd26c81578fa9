/// Edits to a file's lines, checked against what the parser saw there, and the diff they make.
struct LineEditor {
    private struct ByteEdit {
        var start: Int
        var length: Int
        var replacement: [UInt8]
    }

    private let text: EditableLines
    private var edits: [Int: [ByteEdit]] = [:]
    private var insertions: [Int: [[UInt8]]] = [:]
    private var notes: [AdoptNote] = []

    init(_ text: EditableLines) { self.text = text }

    /// Line `n` (1-based) without its line end; empty past the end.
    func line(_ n: Int) -> [UInt8] { n >= 1 && n <= text.lines.count ? text.lines[n - 1] : [] }

    /// Whether line `n` is blank or past the end.
    func isBlank(_ n: Int) -> Bool { line(n).allSatisfy { $0 == 0x20 || $0 == 0x09 } }

    mutating func note(_ line: Int, _ column: Int, _ message: String) {
        notes.append(AdoptNote(line: line, column: column, message: message))
    }

    /// Replaces `length` bytes from 0-based `start` of line `n` (1-based).
    mutating func replace(line n: Int, start: Int, length: Int, with replacement: [UInt8]) {
        edits[n - 1, default: []].append(ByteEdit(start: start, length: length, replacement: replacement))
    }

    /// Takes back every edit made to line `n` (1-based).
    mutating func dropEdits(line n: Int) { edits[n - 1] = nil }

    /// Inserts whole lines before line `n` (1-based; one past the last line appends).
    mutating func insert(_ lines: [String], before n: Int) {
        insertions[n - 1, default: []].append(contentsOf: lines.map { Array($0.utf8) })
    }

    /// Removes the `length`-byte prompt at `column` of line `n`, if a prompt is there.
    mutating func removePrompt(line n: Int, column: Int, length: Int) -> Bool {
        let bytes = line(n)
        guard column >= 1, column - 1 + length <= bytes.count else { return false }
        let rest = bytes[(column - 1)...]
        guard ConsolePrompt.shellLength(rest) == length || ConsolePrompt.continuationLength(rest) == length else { return false }
        replace(line: n, start: column - 1, length: length, with: [])
        return true
    }

    /// Replaces a placeholder token with its param, quoted for where it stands: `"${NAME}"` outside
    /// quotes, `${NAME}` in double quotes or a heredoc, `'"${NAME}"'` inside single quotes (or just
    /// `"${NAME}"` when the token is the whole single-quoted word).
    mutating func replacePlaceholder(_ placeholder: Placeholder) -> Bool {
        let bytes = line(placeholder.line)
        let start = placeholder.column - 1
        let token = Array(placeholder.token.utf8)
        guard start >= 0, start + token.count <= bytes.count, bytes[start..<(start + token.count)].elementsEqual(token) else { return false }
        let reference = "${\(placeholder.name)}"
        switch placeholder.quoting {
        case .none:
            replace(line: placeholder.line, start: start, length: token.count, with: Array("\"\(reference)\"".utf8))
        case .double, .heredoc:
            replace(line: placeholder.line, start: start, length: token.count, with: Array(reference.utf8))
        case .single:
            let end = start + token.count
            if start > 0, end < bytes.count, bytes[start - 1] == UInt8(ascii: "'"), bytes[end] == UInt8(ascii: "'") {
                replace(line: placeholder.line, start: start - 1, length: token.count + 2, with: Array("\"\(reference)\"".utf8))
            } else {
                replace(line: placeholder.line, start: start, length: token.count, with: Array("'\"\(reference)\"'".utf8))
            }
        case .literalHeredoc:
            return false
        }
        return true
    }

    /// The edited text, its diff and the notes.
    func result() -> AdoptResult {
        var lines: [[UInt8]] = []
        var ends: [[UInt8]] = []
        var changes: [LineChange] = []
        let newEnd = text.newLineEnd
        for index in 0...text.lines.count {
            if let added = insertions[index] {
                changes.append(LineChange(oldStart: index, oldCount: 0, newLines: added))
                lines.append(contentsOf: added)
                ends.append(contentsOf: added.map { _ in newEnd })
            }
            guard index < text.lines.count else { break }
            var line = text.lines[index]
            if let lineEdits = edits[index] {
                for edit in lineEdits.sorted(by: { $0.start > $1.start }) {
                    line.replaceSubrange(edit.start..<(edit.start + edit.length), with: edit.replacement)
                }
                changes.append(LineChange(oldStart: index, oldCount: 1, newLines: [line]))
            }
            lines.append(line)
            ends.append(text.ends[index])
        }
        var out = text
        out.lines = lines
        out.ends = ends
        let missing = text.ends.last?.isEmpty ?? false
        return AdoptResult(
            original: text.bytes, adopted: out.bytes, notes: notes.sorted { ($0.line, $0.column) < ($1.line, $1.column) }, oldLines: text.lines,
            changes: changes, missingFinalNewline: missing)
    }
}

/// Declares params in the front matter: under `params:` when there is one, in the `runbook:` map when
/// our keys live there, else at the top level; a new front matter when the file has none.
enum FrontMatterParams {
    static func add(_ entries: [ParamCollector.Entry], layout: FrontMatterLayout, editor: inout LineEditor) {
        guard layout.closingLine > 0 else {
            editor.insert(["---", "params:"] + yaml(entries, indent: 2) + ["---"], before: 1)
            return
        }
        let pad = String(repeating: " ", count: layout.ourIndent)
        switch layout.params {
        case .block(let keyLine, let childIndent)?:
            editor.insert(yaml(entries, indent: childIndent), before: keyLine + 1)
        case .empty(let keyLine)? where clearEmptyValue(keyLine, editor: &editor):
            editor.insert(yaml(entries, indent: layout.ourIndent + 2), before: keyLine + 1)
        case .empty(let keyLine)?, .flow(let keyLine)?:
            editor.note(
                keyLine, 1,
                "'params' is written inline, so adopt leaves it; add these params to it by hand: \(entries.map(\.name).joined(separator: ", "))")
        case nil:
            if let map = layout.ourMap {
                editor.insert(["\(pad)params:"] + yaml(entries, indent: layout.ourIndent + 2), before: map.line + 1)
            } else {
                editor.insert(["params:"] + yaml(entries, indent: 2), before: layout.closingLine)
            }
        }
    }

    /// `params:` stays; `params: {}`, `params: ~` and `params: null` lose their value so entries can follow.
    private static func clearEmptyValue(_ keyLine: Int, editor: inout LineEditor) -> Bool {
        let line = editor.line(keyLine)
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return false }
        let rest = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingSpaces()
        if rest.isEmpty || rest.hasPrefix("#") { return true }
        guard ["{}", "~", "null"].contains(rest) else { return false }
        editor.replace(line: keyLine, start: colon + 1, length: line.count - colon - 1, with: [])
        return true
    }

    /// Each param as a YAML block: description, required, and secret when its name says so.
    private static func yaml(_ entries: [ParamCollector.Entry], indent: Int) -> [String] {
        let pad = String(repeating: " ", count: indent)
        var out: [String] = []
        for entry in entries {
            out.append("\(pad)\(entry.name):")
            out.append("\(pad)  description: \(quoted(entry.label))")
            out.append("\(pad)  required: true")
            if entry.secret { out.append("\(pad)  secret: true") }
        }
        return out
    }

    private static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
