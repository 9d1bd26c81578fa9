/// A fenced block tagged `{rehearse-for=KEY}`: what a rehearsal (`run --dry-run`) runs instead of the
/// step with that key. It is never a step: a live run neither counts nor runs it.
///
/// Its fields live on the heap, so a step without one (nearly every step) pays one pointer for it.
public struct RehearsalBlock: Sendable, Codable, Hashable {
    /// The block's fields, as `show --json` writes them.
    struct Fields: Sendable, Codable, Hashable {
        var language: String
        var interpreter: String
        var code: String
        var prose: String
        var codeSHA256: String
        var line: Int
        var column: Int
        var endLine: Int
        /// `expect-exit=` on the block: the exit codes that count as its success (nil: the step's).
        var expectExit: [Int32]?

        enum CodingKeys: String, CodingKey {
            case language, interpreter, code, prose
            case codeSHA256 = "code_sha256"
            case line, column
            case endLine = "end_line"
            case expectExit = "expect_exit"
        }
    }

    private final class Storage: Sendable {
        let fields: Fields
        init(_ fields: Fields) { self.fields = fields }
    }

    private let storage: Storage

    init(_ fields: Fields) { storage = Storage(fields) }

    /// The fence language as written (`bash`, `python`, …); any runnable one.
    public var language: String { storage.fields.language }
    /// The program that runs it, e.g. `bash`.
    public var interpreter: String { storage.fields.interpreter }
    /// The code to run, LF line ends.
    public var code: String { storage.fields.code }
    /// The Markdown between its step and the block, shown with it in a rehearsal.
    public var prose: String { storage.fields.prose }
    /// SHA-256 of `code`.
    public var codeSHA256: String { storage.fields.codeSHA256 }
    /// Line of the opening fence.
    public var line: Int { storage.fields.line }
    /// Column where the block starts.
    public var column: Int { storage.fields.column }
    /// Last line of the block.
    public var endLine: Int { storage.fields.endLine }
    /// The exit codes that count as the block's success: its own `expect-exit=` (a read-only check
    /// such as `kubectl diff` exits 1 when it finds a difference), else nil and the step's apply.
    public var expectExit: [Int32]? { storage.fields.expectExit }

    /// Reads the fields as `show --json` writes them.
    public init(from decoder: any Decoder) throws { storage = Storage(try Fields(from: decoder)) }

    /// Writes the fields as one object.
    public func encode(to encoder: any Encoder) throws { try storage.fields.encode(to: encoder) }

    /// Blocks are equal when their fields are.
    public static func == (a: RehearsalBlock, b: RehearsalBlock) -> Bool { a.storage.fields == b.storage.fields }

    /// Hashes the fields.
    public func hash(into hasher: inout Hasher) { hasher.combine(storage.fields) }
}

/// The `{rehearse-for=KEY}` blocks met while a file's blocks are walked, attached to their steps once
/// every step is known. A block must follow its step (prose and reference blocks may stand between,
/// no other step); each step has at most one rehearsal, a `rehearse=` command or one block.
struct RehearseForBlocks {
    /// The attribute that tags a block.
    static let attribute = "rehearse-for"

    private struct Pending {
        var block: RehearsalBlock
        var key: String
        /// Column of the `rehearse-for` attribute, where findings about the key point.
        var keyColumn: Int
    }

    private var pending: [Pending] = []

    /// Whether the block's attributes tag it `rehearse-for`.
    static func isTagged(_ info: InfoString) -> Bool {
        info.hasAttributeBlock && info.attributes.contains { $0.key == attribute }
    }

    /// Whether a raw info string tags its block `rehearse-for` (the cheap test first).
    static func isTagged(info: String) -> Bool {
        info.contains(attribute) && isTagged(InfoStringParser.parse(info))
    }

    /// Takes a tagged block; what is wrong with it alone (its attributes, its language) goes to `sink`.
    /// `infoColumn` is where its info string starts; `interpreter` is nil for a language that cannot run.
    mutating func add(
        _ info: InfoString, text: (literal: String, prose: String), at position: (line: Int, column: Int, endLine: Int), infoColumn: Int,
        interpreter: String?, sink: inout DiagnosticSink
    ) {
        let line = position.line
        for error in info.errors { sink.error("malformed-attributes", line: line, column: infoColumn + error.offset, error.message) }
        var tag: RawAttribute?
        var expectExit: [Int32]?
        for attribute in info.attributes {
            if attribute.key == Self.attribute && tag == nil {
                tag = attribute
                continue
            }
            if attribute.key == "expect-exit" {
                // Read as a step's `expect-exit` is, with the same findings for a bad value.
                let (checked, findings) = AttributeChecker.check([attribute], columnBase: infoColumn)
                for finding in findings { sink.add(finding.severity, finding.rule, line: line, column: infoColumn + finding.offset, finding.message) }
                if findings.isEmpty { expectExit = checked.expectExit }
                continue
            }
            sink.error(
                "bad-rehearse-for", line: line, column: infoColumn + attribute.offset,
                "attribute '\(attribute.key)' does not apply to a rehearse-for block: it runs with its step's folder, environment and timeout (expect-exit is the one attribute it may set); set '\(attribute.key)' on the step, or remove it"
            )
        }
        guard let tag else { return }
        let column = infoColumn + tag.offset
        guard let key = tag.value, !key.trimmingSpaces().isEmpty else {
            sink.error(
                "bad-rehearse-for", line: line, column: column,
                "attribute 'rehearse-for' takes the key of the step the block rehearses, e.g. rehearse-for=migrate")
            return
        }
        guard let interpreter else {
            let runnable = StepLanguages.interpreters.keys.sorted().joined(separator: ", ")
            sink.error(
                "rehearse-for-not-runnable", line: line, column: column,
                "the rehearsal of step '\(key)' is in language '\(info.language)', which cannot run; write it in a runnable language (\(runnable)), e.g. a bash block that calls psql -c '…'"
            )
            return
        }
        let block = RehearsalBlock(
            RehearsalBlock.Fields(
                language: info.language, interpreter: interpreter, code: text.literal, prose: text.prose,
                codeSHA256: SHA256.hex(Array(text.literal.utf8)), line: line, column: position.column, endLine: position.endLine,
                expectExit: expectExit))
        pending.append(Pending(block: block, key: key, keyColumn: column))
    }

    /// Gives each step the block that rehearses it; a block whose key is unknown, that does not follow
    /// its step, or that would be a step's second rehearsal is an error at its `rehearse-for`.
    func attach(to steps: inout [Step], sink: inout DiagnosticSink) {
        guard !pending.isEmpty else { return }
        var index: [String: Int] = [:]
        for i in steps.indices where index[steps[i].key] == nil { index[steps[i].key] = i }
        for p in pending {
            guard let i = index[p.key] else {
                sink.error("unknown-rehearse-for", line: p.block.line, column: p.keyColumn, unknownKeyMessage(p.key, steps: steps))
                continue
            }
            if let problem = problem(p, step: i, in: steps) {
                sink.error(problem.rule, line: p.block.line, column: p.keyColumn, problem.message)
                continue
            }
            steps[i].rehearsal = p.block
        }
    }

    private func unknownKeyMessage(_ key: String, steps: [Step]) -> String {
        let keys = steps.filter { $0.kind == .code }.map(\.key)
        let guess = keys.first { $0.hasSuffix("/" + key) } ?? closestMatch(to: key, in: keys)
        let hint = guess.map { " (did you mean '\($0)'?)" } ?? "; write the key of the step above it, as 'runbook show' lists it"
        return "rehearse-for names step '\(key)', but no step has that key\(hint)"
    }

    /// Why block `p` cannot rehearse `steps[i]`, the step with its key; nil when it can.
    private func problem(_ p: Pending, step i: Int, in steps: [Step]) -> (rule: String, message: String)? {
        let step = steps[i]
        let key = p.key
        if step.kind == .manual {
            return (
                "bad-rehearse-for",
                "step '\(key)' (line \(step.line)) is a manual step: a rehearsal asks to confirm it and runs nothing; remove this block or write the step as code"
            )
        }
        if step.line > p.block.line {
            return (
                "misplaced-rehearse-for",
                "the step '\(key)' this block rehearses is at line \(step.line), after it; move the block after the step (a rehearse-for block follows its step)"
            )
        }
        if i + 1 < steps.count, steps[i + 1].line < p.block.line {
            let other = steps[i + 1]
            return (
                "misplaced-rehearse-for",
                "this block rehearses step '\(key)' (line \(step.line)) but stands after step '\(other.key)' (line \(other.line)); move it directly after '\(key)', before the next step"
            )
        }
        if step.attributes.rehearse != nil {
            return (
                "duplicate-rehearsal",
                "step '\(key)' (line \(step.line)) already has a rehearse= command; give it either the attribute or this block, not both"
            )
        }
        if let first = step.rehearsal {
            return (
                "duplicate-rehearsal",
                "step '\(key)' already has the rehearse-for block at line \(first.line); merge the two into one block"
            )
        }
        return nil
    }

}
