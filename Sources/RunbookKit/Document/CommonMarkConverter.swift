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

/// What a first, light pass over a piece of the document found, before its blocks are visited
/// one by one: which task items hold code.
struct MarkdownSurvey {
    /// The info string of each code block inside a task item, with the innermost item's ordinal.
    var codeInTaskItems: [(taskItem: Int, info: String)] = []
}

extension RunbookParser {
    /// The size of the pieces libcmark parses a long runbook in: its tree of a piece takes about
    /// five times the piece's bytes, so the tree of a whole 10 MB runbook is never in memory at once.
    public static let pieceBytes = 128 * 1024
}

enum CommonMarkConverter {
    /// Parses UTF-8 Markdown with source positions, then hands the blocks a runbook needs to `visit`,
    /// one at a time in document order; before the blocks of each piece, `survey` is told what the
    /// piece holds. No array of every block is built: each block's strings are freed once `visit`
    /// is done with it, and libcmark's tree is freed a top-level block at a time.
    ///
    /// A document longer than `pieceBytes` (`RunbookParser.pieceBytes`) is parsed piece by piece (`Pieces`), each cut where a
    /// top-level block starts: the blocks are the ones a parse of the whole document gives. Line
    /// numbers are counted as if `blankLines` empty lines came before the text, so that they stay
    /// the file's when the front matter is left out.
    static func convert(
        _ text: ArraySlice<UInt8>, afterBlankLines blankLines: Int = 0, pieceBytes: Int = RunbookParser.pieceBytes,
        survey: (MarkdownSurvey) -> Void, visit: (MarkdownBlock) -> Void
    ) {
        var pieces = Pieces(text: text, size: pieceBytes, lineOffset: blankLines)
        var taskCount = 0
        while let piece = pieces.next() {
            guard let parser = cmark_parser_new(CMARK_OPT_SOURCEPOS | CMARK_OPT_VALIDATE_UTF8) else { return }
            feed(parser, piece.bytes)
            let parsed = cmark_parser_finish(parser)
            cmark_parser_free(parser)
            guard let document = parsed else { return }
            defer { cmark_node_free(document) }
            // Every top-level block but the last is final; the last may go on past the cut, so it
            // starts the next piece (unless this piece is the end of the text).
            let last = piece.isLast ? nil : cmark_node_last_child(document)
            if !piece.isLast && last == nil {
                pieces.skip()
                continue
            }
            if let last, last == cmark_node_first_child(document) {
                pieces.grow()  // one block so far: read on with a longer piece
                continue
            }
            var walker = Walker(lineOffset: piece.lineOffset, taskBase: taskCount)
            var found = MarkdownSurvey()
            walker.walk(document, until: last, texts: false) { block in
                if case .codeBlock(let code) = block, let task = code.taskItem { found.codeInTaskItems.append((task, code.info)) }
            }
            survey(found)
            walker.walk(document, until: last, texts: true, visit)
            taskCount = walker.taskCount
            if let last { pieces.resume(atLine: Int(cmark_node_get_start_line(last))) }
        }
    }

    /// The pieces of a text, each ending at a line end, about `size` bytes long. The whole text is one
    /// piece when it holds `]:`: a link reference definition may be used anywhere in the document,
    /// before it too, so the document is parsed as a whole.
    struct Pieces {
        let text: ArraySlice<UInt8>
        let size: Int
        /// Where the next piece starts, and how many lines come before it.
        private var start: Int
        private(set) var lineOffset: Int
        /// Where the current piece ends.
        private var end: Int
        private var length: Int
        private let whole: Bool
        private var done = false

        init(text: ArraySlice<UInt8>, size: Int, lineOffset: Int) {
            self.text = text
            self.size = max(size, 1)
            self.start = text.startIndex
            self.end = text.startIndex
            self.lineOffset = lineOffset
            self.length = max(size, 1)
            self.whole = text.count <= size || Self.mayDefineLinkReferences(text)
        }

        struct Piece {
            var bytes: ArraySlice<UInt8>
            /// Lines of the text before the piece.
            var lineOffset: Int
            var isLast: Bool
        }

        /// The piece from the current start: `length` bytes and on to the end of that line.
        mutating func next() -> Piece? {
            guard !done else { return nil }
            end = whole ? text.endIndex : min(start + length, text.endIndex)
            while end < text.endIndex && text[end - 1] != 0x0A { end += 1 }
            done = end == text.endIndex
            return Piece(bytes: text[start..<end], lineOffset: lineOffset, isLast: done)
        }

        /// The last piece held only blank lines: the next one starts after it.
        mutating func skip() {
            resume(atLine: text[start..<end].reduce(1) { $1 == 0x0A ? $0 + 1 : $0 })
        }

        /// The last piece held one block that may go on: the next piece starts at the same place, twice as long.
        mutating func grow() { length = length > text.count / 2 ? text.count : length * 2 }

        /// The next piece starts at line `line` (1-based) of the current one.
        mutating func resume(atLine line: Int) {
            var skipped = 1
            var at = start
            while skipped < line, at < text.endIndex {
                if text[at] == 0x0A { skipped += 1 }
                at += 1
            }
            start = at
            lineOffset += skipped - 1
            length = size
        }

        static func mayDefineLinkReferences(_ text: ArraySlice<UInt8>) -> Bool {
            text.withUnsafeBufferPointer { buffer in
                guard buffer.count >= 2 else { return false }
                for i in 1..<buffer.count where buffer[i] == UInt8(ascii: ":") && buffer[i - 1] == UInt8(ascii: "]") { return true }
                return false
            }
        }
    }

    /// Walks the top-level blocks of a parsed piece, each through its nested blocks.
    private struct Walker {
        let lineOffset: Int
        let taskBase: Int
        /// Task items seen so far in the document, this piece's included.
        private(set) var taskCount: Int

        init(lineOffset: Int, taskBase: Int) {
            self.lineOffset = lineOffset
            self.taskBase = taskBase
            self.taskCount = taskBase
        }

        /// Every block the runbook needs of the top-level blocks before `stop` (all when nil), in
        /// document order. Without `texts`, headings and task items have no text and code blocks no
        /// literal, and only a code block inside a task item has its info string (what the survey
        /// needs). With `texts`, the walk is the last one: each top-level block is freed once walked.
        mutating func walk(_ document: OpaquePointer, until stop: OpaquePointer?, texts: Bool, _ visit: (MarkdownBlock) -> Void) {
            taskCount = taskBase
            var top = cmark_node_first_child(document)
            while let block = top, block != stop {
                top = cmark_node_next(block)
                walkTree(block, texts: texts, visit)
                // The tree shrinks while the runbook's steps grow, and the two never peak together.
                if texts { cmark_node_free(block) }
            }
        }

        /// Pre-order over the block nodes of one top-level block (inline content is read where
        /// needed), without recursion so deep nesting cannot overflow the stack.
        private mutating func walkTree(_ root: OpaquePointer, texts: Bool, _ visit: (MarkdownBlock) -> Void) {
            var taskStack: [Int] = []  // ordinals of enclosing task items
            var itemIsTask: [Bool] = []  // one entry per enclosing list item
            var next: OpaquePointer? = root
            while let node = next {
                let type = cmark_node_get_type(node)
                let line = Int(cmark_node_get_start_line(node)) + lineOffset
                let column = Int(cmark_node_get_start_column(node))
                if type == CMARK_NODE_HEADING {
                    visit(
                        .heading(
                            .init(
                                level: Int(cmark_node_get_heading_level(node)), text: texts ? plainText(of: node) : "",
                                line: line, column: column)))
                } else if type == CMARK_NODE_CODE_BLOCK {
                    visit(
                        .codeBlock(
                            .init(
                                info: texts || !taskStack.isEmpty ? string(cmark_node_get_fence_info(node)) : "",
                                literal: texts ? string(cmark_node_get_literal(node)) : "", line: line, column: column,
                                endLine: Int(cmark_node_get_end_line(node)) + lineOffset, taskItem: taskStack.last)))
                } else if type == CMARK_NODE_ITEM {
                    if let task = taskMarker(of: node) {
                        let ordinal = taskCount
                        taskCount += 1
                        taskStack.append(ordinal)
                        itemIsTask.append(true)
                        visit(
                            .taskItem(
                                .init(
                                    ordinal: ordinal, checked: task.checked, text: texts ? task.text : "", line: line, column: column,
                                    endLine: Int(cmark_node_get_end_line(node)) + lineOffset)))
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
                while let done = finished, done != root {
                    if cmark_node_get_type(done) == CMARK_NODE_ITEM, itemIsTask.popLast() == true { taskStack.removeLast() }
                    if let sibling = cmark_node_next(done) {
                        next = sibling
                        break
                    }
                    finished = cmark_node_parent(done)
                }
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
