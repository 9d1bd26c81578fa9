import CCmark

/// A block of the Markdown document that matters to a runbook, in document order.
///
/// This is the only file that touches cmark. The whole tree is turned into
/// these values inside `CommonMarkConverter.convert` and freed there; no cmark
/// pointer escapes.
enum MarkdownBlock: Sendable {
    case heading(Heading)
    case codeBlock(CodeBlock)
    case taskItem(TaskItem)

    struct Heading: Sendable {
        var level: Int
        var text: String
        var line: Int
        var column: Int
    }

    struct CodeBlock: Sendable {
        /// The info string, entities already decoded by cmark.
        var info: String
        /// The literal content, container indentation stripped, LF line ends.
        var literal: String
        var line: Int
        var column: Int
        var endLine: Int
        /// Index (into the converter's task item count) of the innermost task item holding this block.
        var taskItem: Int?
    }

    struct TaskItem: Sendable {
        /// Order among task items, 0-based.
        var ordinal: Int
        var checked: Bool
        /// The item's first paragraph as plain text, without the `[ ]` marker.
        var text: String
        var line: Int
        var column: Int
        var endLine: Int
    }
}

enum CommonMarkConverter {
    /// Parses UTF-8 Markdown with source positions and returns the blocks a runbook needs.
    static func convert(_ bytes: [UInt8]) -> [MarkdownBlock] {
        let options = CMARK_OPT_SOURCEPOS | CMARK_OPT_VALIDATE_UTF8
        guard let document = bytes.withUnsafeBufferPointer({ buffer in
            buffer.baseAddress.map { base in
                base.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                    cmark_parse_document($0, buffer.count, options)
                }
            } ?? cmark_parse_document("", 0, options)
        }) else {
            return []
        }
        defer { cmark_node_free(document) }

        var blocks: [MarkdownBlock] = []
        var taskStack: [Int] = []          // ordinals of enclosing task items
        var itemIsTask: [Bool] = []        // one entry per enclosing list item
        var taskCount = 0

        guard let iter = cmark_iter_new(document) else { return [] }
        defer { cmark_iter_free(iter) }

        while true {
            let event = cmark_iter_next(iter)
            if event == CMARK_EVENT_DONE { break }
            guard let node = cmark_iter_get_node(iter) else { continue }
            let type = cmark_node_get_type(node)
            if event == CMARK_EVENT_EXIT {
                if type == CMARK_NODE_ITEM {
                    if itemIsTask.popLast() == true { taskStack.removeLast() }
                }
                continue
            }
            // ENTER
            if type == CMARK_NODE_HEADING {
                blocks.append(.heading(.init(
                    level: Int(cmark_node_get_heading_level(node)),
                    text: plainText(of: node),
                    line: Int(cmark_node_get_start_line(node)),
                    column: Int(cmark_node_get_start_column(node)))))
            } else if type == CMARK_NODE_CODE_BLOCK {
                blocks.append(.codeBlock(.init(
                    info: string(cmark_node_get_fence_info(node)),
                    literal: string(cmark_node_get_literal(node)),
                    line: Int(cmark_node_get_start_line(node)),
                    column: Int(cmark_node_get_start_column(node)),
                    endLine: Int(cmark_node_get_end_line(node)),
                    taskItem: taskStack.last)))
            } else if type == CMARK_NODE_ITEM {
                if let task = taskMarker(of: node) {
                    let ordinal = taskCount
                    taskCount += 1
                    taskStack.append(ordinal)
                    itemIsTask.append(true)
                    blocks.append(.taskItem(.init(
                        ordinal: ordinal,
                        checked: task.checked,
                        text: task.text,
                        line: Int(cmark_node_get_start_line(node)),
                        column: Int(cmark_node_get_start_column(node)),
                        endLine: Int(cmark_node_get_end_line(node)))))
                } else {
                    itemIsTask.append(false)
                }
            }
        }
        return blocks
    }

    private static func string(_ pointer: UnsafePointer<CChar>?) -> String {
        guard let pointer else { return "" }
        return String(cString: pointer)
    }

    /// `[ ] text`, `[x] text` or `[X] text` at the start of an item's first paragraph
    /// (plain cmark has no task lists; GFM's rule: a space or the end after `]`).
    private static func taskMarker(of item: OpaquePointer) -> (checked: Bool, text: String)? {
        guard let first = cmark_node_first_child(item), cmark_node_get_type(first) == CMARK_NODE_PARAGRAPH else {
            return nil
        }
        let text = plainText(of: first)
        let utf8 = Array(text.utf8)
        guard utf8.count >= 3, utf8[0] == UInt8(ascii: "["), utf8[2] == UInt8(ascii: "]") else { return nil }
        let mark = utf8[1]
        guard mark == UInt8(ascii: " ") || mark == UInt8(ascii: "x") || mark == UInt8(ascii: "X") else { return nil }
        guard utf8.count == 3 || utf8[3] == UInt8(ascii: " ") || utf8[3] == UInt8(ascii: "\t") else { return nil }
        let rest = String(decoding: utf8.dropFirst(3), as: UTF8.self)
        return (mark != UInt8(ascii: " "), rest.trimmingSpaces())
    }

    /// The text of a node's inline content: code spans keep their backticks, breaks become spaces.
    private static func plainText(of node: OpaquePointer) -> String {
        var out = ""
        appendText(of: node, to: &out)
        return out
    }

    private static func appendText(of node: OpaquePointer, to out: inout String) {
        var child = cmark_node_first_child(node)
        while let current = child {
            let type = cmark_node_get_type(current)
            if type == CMARK_NODE_TEXT || type == CMARK_NODE_HTML_INLINE {
                out += string(cmark_node_get_literal(current))
            } else if type == CMARK_NODE_CODE {
                out += "`" + string(cmark_node_get_literal(current)) + "`"
            } else if type == CMARK_NODE_SOFTBREAK || type == CMARK_NODE_LINEBREAK {
                out += " "
            } else {
                appendText(of: current, to: &out)
            }
            child = cmark_node_next(current)
        }
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines.
    func trimmingSpaces() -> String {
        let utf8 = self.utf8
        var start = utf8.startIndex
        var end = utf8.endIndex
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
        while start < end && isSpace(utf8[start]) { start = utf8.index(after: start) }
        while end > start && isSpace(utf8[utf8.index(before: end)]) { end = utf8.index(before: end) }
        return String(self[start..<end])
    }
}
