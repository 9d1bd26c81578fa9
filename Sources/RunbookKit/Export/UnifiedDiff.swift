/// A line-based text as `adopt` edits it: lines with their own line ends, a byte order mark kept apart.
struct EditableLines {
    /// A UTF-8 byte order mark before the first line, kept as it was.
    var bom: [UInt8] = []
    /// Each line's bytes, without its line end.
    var lines: [[UInt8]] = []
    /// Each line's end as written: LF, CRLF, or nothing for a last line without one.
    var ends: [[UInt8]] = []

    /// Splits `bytes` at LF; a CR before the LF stays with the line end.
    init(_ bytes: [UInt8]) {
        var start = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            bom = [0xEF, 0xBB, 0xBF]
            start = 3
        }
        while start < bytes.count {
            let lf = bytes[start...].firstIndex(of: 0x0A)
            var end = lf ?? bytes.count
            var lineEnd: [UInt8] = lf == nil ? [] : [0x0A]
            if lf != nil, end > start, bytes[end - 1] == 0x0D {
                end -= 1
                lineEnd = [0x0D, 0x0A]
            }
            lines.append(Array(bytes[start..<end]))
            ends.append(lineEnd)
            start = (lf ?? bytes.count) + 1
        }
    }

    /// The line end new lines get: the first line's, else LF.
    var newLineEnd: [UInt8] { ends.first(where: { !$0.isEmpty }) ?? [0x0A] }

    /// The bytes again.
    var bytes: [UInt8] {
        var out = bom
        for (line, end) in zip(lines, ends) {
            out.append(contentsOf: line)
            out.append(contentsOf: end)
        }
        return out
    }
}

/// One change to a text: `oldCount` lines from `oldStart` (0-based) become `newLines`.
struct LineChange {
    var oldStart: Int
    var oldCount: Int
    var newLines: [[UInt8]]
}

/// The unified diff (`diff -u`) of a text and the same text with `changes` made.
enum UnifiedDiff {
    /// Lines of context around each change.
    static let context = 3

    /// The diff as text, `---`/`+++` headers first; empty when nothing changes. `changes` are sorted and
    /// do not overlap; `oldMissingFinalNewline` says the old text's last line has no line end.
    static func render(
        old: [[UInt8]], changes: [LineChange], oldName: String, newName: String, oldMissingFinalNewline: Bool = false
    ) -> String {
        let real = changes.filter { change in
            change.oldCount != change.newLines.count || !change.newLines.elementsEqual(old[change.oldStart..<(change.oldStart + change.oldCount)])
        }
        guard !real.isEmpty else { return "" }
        // Changes that touch: one change, so its removed lines come before its added ones, as in diff -u.
        var merged: [LineChange] = []
        for change in real {
            if var last = merged.last, last.oldStart + last.oldCount == change.oldStart {
                last.oldCount += change.oldCount
                last.newLines += change.newLines
                merged[merged.count - 1] = last
            } else {
                merged.append(change)
            }
        }
        var out = "--- \(oldName)\n+++ \(newName)\n"
        var group: [LineChange] = []
        var delta = 0  // lines the hunks so far added, less those they removed
        for change in merged {
            if let last = group.last, change.oldStart - (last.oldStart + last.oldCount) > 2 * context {
                out += hunk(group, old: old, missingNewline: oldMissingFinalNewline, delta: delta)
                delta += group.reduce(0) { $0 + $1.newLines.count - $1.oldCount }
                group = []
            }
            group.append(change)
        }
        out += hunk(group, old: old, missingNewline: oldMissingFinalNewline, delta: delta)
        return out
    }

    /// One `@@` hunk for changes close enough to share context.
    private static func hunk(_ changes: [LineChange], old: [[UInt8]], missingNewline: Bool, delta: Int) -> String {
        guard let first = changes.first, let last = changes.last else { return "" }
        let start = max(0, first.oldStart - context)
        let end = min(old.count, last.oldStart + last.oldCount + context)
        var body: [String] = []
        var oldLines = 0
        var newLines = 0
        var at = start
        func line(_ prefix: String, _ bytes: [UInt8], isLastOld: Bool) {
            body.append(prefix + String(decoding: bytes, as: UTF8.self))
            if isLastOld && missingNewline { body.append("\\ No newline at end of file") }
        }
        for change in changes {
            while at < change.oldStart {
                line(" ", old[at], isLastOld: at == old.count - 1)
                oldLines += 1
                newLines += 1
                at += 1
            }
            for i in change.oldStart..<(change.oldStart + change.oldCount) {
                line("-", old[i], isLastOld: i == old.count - 1)
                oldLines += 1
            }
            for added in change.newLines {
                body.append("+" + String(decoding: added, as: UTF8.self))
                newLines += 1
            }
            if missingNewline && change.oldStart + change.oldCount == old.count && !change.newLines.isEmpty {
                body.append("\\ No newline at end of file")
            }
            at = change.oldStart + change.oldCount
        }
        while at < end {
            line(" ", old[at], isLastOld: at == old.count - 1)
            oldLines += 1
            newLines += 1
            at += 1
        }
        let oldStart = oldLines == 0 ? start : start + 1
        let newStart = newLines == 0 ? start + delta : start + delta + 1
        return "@@ -\(oldStart),\(oldLines) +\(newStart),\(newLines) @@\n" + body.joined(separator: "\n") + "\n"
    }
}
