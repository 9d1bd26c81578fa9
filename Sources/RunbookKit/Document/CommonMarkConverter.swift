import CCmark

/// A block of the Markdown document that matters to a runbook, in document order.
///
/// This is the only file that touches cmark. Inside `CommonMarkConverter.convert` each block
/// of the tree becomes one of these values, handed to its caller one at a time; the tree is
/// freed there and no cmark pointer escapes.
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

/// What a first, light pass over the document found: enough to size the steps and to know which
/// task items hold code before the blocks are visited one by one.
struct MarkdownSurvey {
    /// Fenced or indented code blocks.
    var codeBlocks = 0
    /// Task items (`- [ ] …`).
    var taskItems = 0
    /// The info string of each code block inside a task item, with the innermost item's ordinal.
    var codeInTaskItems: [(taskItem: Int, info: String)] = []
}

enum CommonMarkConverter {
    /// Parses UTF-8 Markdown with source positions, then hands the blocks a runbook needs to `visit`,
    /// one at a time in document order, after `survey` has been told what the document holds. No
    /// array of every block is built: each block's strings are freed once `visit` is done with it.
    ///
    /// The text is parsed as if `blankLines` empty lines came before it, so that line numbers
    /// stay the file's when the front matter is left out.
    static func convert(
        _ text: ArraySlice<UInt8>, afterBlankLines blankLines: Int = 0, survey: (MarkdownSurvey) -> Void,
        visit: (MarkdownBlock) -> Void
    ) {
        guard let parser = cmark_parser_new(CMARK_OPT_SOURCEPOS | CMARK_OPT_VALIDATE_UTF8) else { return }
        defer { cmark_parser_free(parser) }
        if blankLines > 0 { feed(parser, [UInt8](repeating: 0x0A, count: blankLines)[...]) }
        feed(parser, text)
        guard let document = cmark_parser_finish(parser) else { return }
        defer { cmark_node_free(document) }
        var found = MarkdownSurvey()
        walkBlocks(of: document, texts: false) { block in
            switch block {
            case .heading: break
            case .taskItem: found.taskItems += 1
            case .codeBlock(let code):
                found.codeBlocks += 1
                if let task = code.taskItem { found.codeInTaskItems.append((task, code.info)) }
            }
        }
        survey(found)
        walkBlocks(of: document, texts: true, visit)
    }

    /// Every block of the document the runbook needs, in document order. Without `texts`, headings
    /// and task items have no text and code blocks no literal, and only a code block inside a task
    /// item has its info string (what the survey needs). With `texts`, the walk is the last one: each
    /// top-level node is freed once it is walked.
    private static func walkBlocks(of document: OpaquePointer, texts: Bool, _ visit: (MarkdownBlock) -> Void) {
        var taskStack: [Int] = []  // ordinals of enclosing task items
        var itemIsTask: [Bool] = []  // one entry per enclosing list item
        var taskCount = 0

        // Pre-order walk over the block nodes only (inline content is read where needed),
        // without recursion so deep nesting cannot overflow the stack.
        var next = cmark_node_first_child(document)
        while let node = next {
            let type = cmark_node_get_type(node)
            if type == CMARK_NODE_HEADING {
                visit(
                    .heading(
                        .init(
                            level: Int(cmark_node_get_heading_level(node)),
                            text: texts ? plainText(of: node) : "",
                            line: Int(cmark_node_get_start_line(node)),
                            column: Int(cmark_node_get_start_column(node)))))
            } else if type == CMARK_NODE_CODE_BLOCK {
                visit(
                    .codeBlock(
                        .init(
                            info: texts || !taskStack.isEmpty ? string(cmark_node_get_fence_info(node)) : "",
                            literal: texts ? string(cmark_node_get_literal(node)) : "",
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
                    visit(
                        .taskItem(
                            .init(
                                ordinal: ordinal,
                                checked: task.checked,
                                text: texts ? task.text : "",
                                line: Int(cmark_node_get_start_line(node)),
                                column: Int(cmark_node_get_start_column(node)),
                                endLine: Int(cmark_node_get_end_line(node)))))
                } else {
                    itemIsTask.append(false)
                }
            }
            // Into a container's children, else on to the next sibling, leaving finished items on the way up.
            if type == CMARK_NODE_LIST || type == CMARK_NODE_ITEM || type == CMARK_NODE_BLOCK_QUOTE,
                let child = cmark_node_first_child(node)
            {
                next = child
                continue
            }
            var finished: OpaquePointer? = node
            next = nil
            while let done = finished {
                if cmark_node_get_type(done) == CMARK_NODE_ITEM {
                    if itemIsTask.popLast() == true { taskStack.removeLast() }
                }
                if let sibling = cmark_node_next(done) {
                    next = sibling
                    // A top-level block walked to its end is freed (unlinked) at once: the tree
                    // shrinks while the runbook's steps grow, and the two never peak together.
                    if texts && cmark_node_parent(done) == document { cmark_node_free(done) }
                    break
                }
                let parent = cmark_node_parent(done)
                finished = parent == document ? nil : parent
            }
        }
    }

    private static func feed(_ parser: OpaquePointer, _ bytes: ArraySlice<UInt8>) {
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, buffer.count > 0 else { return }
            base.withMemoryRebound(to: CChar.self, capacity: buffer.count) { cmark_parser_feed(parser, $0, buffer.count) }
        }
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
        var text = plainText(of: first)
        return text.withUTF8 { utf8 in
            guard utf8.count >= 3, utf8[0] == UInt8(ascii: "["), utf8[2] == UInt8(ascii: "]") else { return nil }
            let mark = utf8[1]
            guard mark == UInt8(ascii: " ") || mark == UInt8(ascii: "x") || mark == UInt8(ascii: "X") else { return nil }
            guard utf8.count == 3 || utf8[3] == UInt8(ascii: " ") || utf8[3] == UInt8(ascii: "\t") else { return nil }
            let rest = String(decoding: utf8[3...], as: UTF8.self)
            return (mark != UInt8(ascii: " "), rest.trimmingSpaces())
        }
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
