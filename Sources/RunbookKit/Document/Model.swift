/// A parsed runbook: its front matter, sections and steps, with every finding about it.
///
/// Immutable value; built by `RunbookParser`. `run` refuses a runbook whose
/// `diagnostics` hold an error.
public struct Runbook: Sendable {
    /// The path as the user gave it.
    public let path: String
    /// SHA-256 (hex) of the file's exact bytes, before any normalisation.
    public let sha256: String
    /// Size of the file in bytes.
    public let byteCount: Int
    /// The exact bytes of the file, for the journal's copy of what ran.
    public let rawBytes: [UInt8]
    /// Front matter `title`, else the text of the first level-1 heading.
    public let title: String?
    /// Front matter `description`.
    public let description: String?
    /// Declared parameters, in declaration order.
    public let params: [Param]
    /// Runbook-wide defaults from the front matter.
    public let defaults: Defaults
    /// Headings, in document order.
    public let sections: [Section]
    /// Code and manual steps, in document order.
    public let steps: [Step]
    /// Code blocks that are shown but never run.
    public let references: [ReferenceBlock]
    /// Every finding, in file order.
    public let diagnostics: [Diagnostic]
    /// Every placeholder name the steps hold, once each, in order of first occurrence.
    public internal(set) var placeholders: [PlaceholderSummary] = []
    /// Prose that is not directly before a step (under a heading before its sub-headings, after a
    /// section's last step, at the end of the file), in file order: a run shows it where it stands.
    public internal(set) var passages: [Passage] = []
    /// Where prompts, examples and front matter keys stand, for rewriting the file.
    var layout = SourceLayout()

    /// Whether any finding is an error.
    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}

/// A declared parameter, passed to steps as an environment variable of the same name.
public struct Param: Sendable, Codable, Hashable {
    /// The parameter's name, also the name of the environment variable steps get.
    public var name: String
    /// What the value is, shown by `show` and at the prompt.
    public var description: String?
    /// The value used when none is given, as text (never set for a secret; JSON key `default`).
    public var defaultValue: String?
    /// Whether the run refuses to start without a value.
    public var required: Bool
    /// Whether the value is sensitive: masked in recorded output and never written to the journal.
    public var secret: Bool
    /// A regular expression the whole value must match.
    public var pattern: String?
    /// Line of the declaration in the file.
    public var line: Int

    enum CodingKeys: String, CodingKey {
        case name, description
        case defaultValue = "default"
        case required, secret, pattern, line
    }
}

/// Runbook-wide defaults set in the front matter.
public struct Defaults: Sendable, Codable, Hashable {
    /// Interpreter for `shell` blocks and for the failure prompt's shell (default `bash`).
    public var shell: String = "bash"
    /// Timeout for steps that set none.
    public var timeout: StepTimeout?
    /// Working directory for steps, relative to the runbook's folder.
    public var dir: String?
    /// Environment for every step, in order.
    public var env: [EnvVar] = []
}

/// An environment variable a runbook sets.
public struct EnvVar: Sendable, Codable, Hashable {
    /// The variable's name (letters, digits and `_`, not starting with a digit).
    public var name: String
    /// The value as written; it may refer to params (`${APP}`).
    public var value: String
}

/// A time limit for a step: a number of seconds, or explicitly none.
public enum StepTimeout: Sendable, Hashable, Codable {
    case seconds(Double)
    case none

    /// The limit in seconds, or nil for none.
    public var seconds: Double? {
        if case .seconds(let s) = self { return s }
        return nil
    }

    /// The shortest human form (`90s` → `1m30s`).
    public var display: String {
        switch self {
        case .none: return "none"
        case .seconds(let total): return formatDuration(total)
        }
    }

    /// Reads a number of seconds; anything else (`null`) means no limit.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let s = try? container.decode(Double.self) { self = .seconds(s) } else { self = .none }
    }

    /// Writes the number of seconds, or `null` for no limit.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .none: try container.encodeNil()
        case .seconds(let s): try container.encode(s)
        }
    }
}

/// A heading of the runbook.
public struct Section: Sendable, Codable, Hashable {
    /// 0-based position among the sections.
    public var index: Int
    /// Heading level, 1 to 6.
    public var level: Int
    /// The heading text.
    public var title: String
    /// The slugs of this heading and its ancestors joined by `/`, the start of derived step keys.
    public var path: String
    /// Line of the heading in the file.
    public var line: Int
}

/// How a step's key was made; only `id` and `name` survive edits around the step.
public enum KeySource: String, Sendable, Codable, Hashable {
    case id
    case name
    case ordinal
}

/// What a step is.
public enum StepKind: String, Sendable, Codable, Hashable {
    /// A fenced code block in an executable language.
    case code
    /// A task-list item (`- [ ] text`) the operator confirms.
    case manual
}

/// What to do when a step fails and its retries are used up.
public enum FailurePolicy: String, Sendable, Codable, Hashable, CaseIterable {
    /// Ask the operator (retry, skip, shell, abort); the default.
    case prompt
    /// Stop the run.
    case abort
    /// Record the failure and go on with the next step.
    case `continue`
}

/// A code or manual step.
///
/// What can be worked out from the rest is not stored: the code's SHA-256 is computed when asked
/// for, and a script's one command is its code (only a transcript keeps its commands).
public struct Step: Sendable, Encodable, Hashable {
    /// 1-based position among all steps.
    public var number: Int {
        get { Int(position.number) }
        set { position.number = Int32(clamping: newValue) }
    }
    /// The stable identity recorded in journals: `id`, else the heading path plus `name`, else plus `#N`.
    public var key: String
    /// Line of the opening fence or of the task item.
    public var line: Int {
        get { Int(position.line) }
        set { position.line = Int32(clamping: newValue) }
    }
    /// Column where the block or item starts.
    public var column: Int {
        get { Int(position.column) }
        set { position.column = Int32(clamping: newValue) }
    }
    /// Last line of the block or item.
    public var endLine: Int {
        get { Int(position.endLine) }
        set { position.endLine = Int32(clamping: newValue) }
    }
    /// Index of the enclosing section, if any.
    public var section: Int? {
        get { position.section < 0 ? nil : Int(position.section) }
        set { position.section = newValue.map { Int32(clamping: $0) } ?? -1 }
    }
    /// A one-line title: the task text, else the enclosing task item's text, else the heading.
    public var title: String
    /// The Markdown between the previous step (or heading) and this one, shown with it.
    public var prose: String {
        get { proseText.string }
        set { proseText = FileText(newValue) }
    }
    /// The fence language as written (code steps).
    public var language: String? {
        get { languageWord.string }
        set { languageWord = SharedWord(newValue) }
    }
    /// The program that runs the code, e.g. `bash` (code steps).
    public var interpreter: String? {
        get { interpreterWord.string }
        set { interpreterWord = SharedWord(newValue) }
    }
    /// The code to run, LF line ends (code steps).
    public var code: String? {
        get { codeText?.string }
        set { codeText = newValue.map(FileText.init) }
    }
    /// `prose` and `code`, as stretches of the file's bytes where they are (`FileText`).
    private(set) var proseText: FileText
    private(set) var codeText: FileText?
    /// Typed attributes (defaults for manual steps).
    public var attributes: StepAttributes
    /// `language` and `interpreter`, 4 bytes each where two strings took 32 (`SharedWord`).
    private var languageWord = SharedWord(nil)
    private var interpreterWord = SharedWord(nil)
    /// `number`, `line`, `column`, `endLine` and `section` in 4 bytes each (a file is at most 20 MiB).
    private var position = StepPosition()
    /// Whether `key` came from an `id`, a `name`, or the step's position under its heading.
    public var keySource: KeySource
    /// A code step or a manual one.
    public var kind: StepKind
    /// For manual steps: whether the task was already ticked (`- [x]`) in the file.
    public var checked: Bool?
    /// How the code is written (code steps): a `script`, or a console `transcript` of prompts and output.
    public var form: CodeForm?
    /// What few steps have: a transcript's commands, placeholders, a rehearse-for block, a
    /// script's command that does not stand where the code does.
    private var extras = DefaultBox<StepExtras>()
    /// Values to fill in that the commands hold (`<namespace>`, `YOUR_TOKEN_HERE`, an undeclared `${CLUSTER}`).
    public var placeholders: [Placeholder] {
        get { extras.value.placeholders }
        set { extras.value.placeholders = newValue }
    }
    /// The `{rehearse-for=KEY}` block a rehearsal runs instead of the code (code steps that have one).
    public var rehearsal: RehearsalBlock? {
        get { extras.value.rehearsal }
        set { extras.value.rehearsal = newValue }
    }

    /// SHA-256 (hex) of `code` (code steps), computed each time it is asked for.
    public var codeSHA256: String? { codeText.map { $0.sha256Hex } }

    /// What runs, command by command (code steps): a script's whole code, or a transcript's commands.
    public var commands: [CodeCommand]? {
        guard form == .script, let code else { return extras.value.transcriptCommands }
        let text = code.utf8.last == 0x0A ? String(code.utf8.dropLast()) ?? code : code
        let scriptSpan = extras.value.scriptSpan ?? codeSpan
        return [
            CodeCommand(
                text: text, line: Int(scriptSpan.line), column: Int(scriptSpan.column), endLine: Int(scriptSpan.endLine),
                prompt: nil, expectedOutput: nil, outputLine: nil)
        ]
    }

    /// A step as the parser finds it; `commands` are the code's, as split (a script's one command
    /// is not kept: it is the code).
    init(
        number: Int, key: String, keySource: KeySource, kind: StepKind, line: Int, column: Int, endLine: Int,
        section: Int?, title: String, prose: FileText, language: String?, interpreter: String?, code: FileText?,
        attributes: StepAttributes, checked: Bool?, form: CodeForm? = nil, commands: [CodeCommand]? = nil
    ) {
        self.key = key
        self.keySource = keySource
        self.kind = kind
        self.title = title
        self.proseText = prose
        self.languageWord = SharedWord(language)
        self.interpreterWord = SharedWord(interpreter)
        self.codeText = code
        self.attributes = attributes
        self.checked = checked
        self.form = form
        self.number = number
        self.line = line
        self.column = column
        self.endLine = endLine
        self.section = section
        if form == .script, let command = commands?.first {
            let span = ScriptSpan(line: Int32(clamping: command.line), column: Int32(clamping: command.column), endLine: Int32(clamping: command.endLine))
            // Kept only when the command does not stand where the code does (empty code, say).
            if span != codeSpan { extras.value.scriptSpan = span }
        } else {
            extras.value.transcriptCommands = commands
        }
    }

    /// Where the code of a fenced block stands: from the line after the opening fence, at the
    /// block's column, to the line before the closing one. A script's one command is there.
    private var codeSpan: ScriptSpan {
        ScriptSpan(line: position.line + 1, column: position.column, endLine: position.endLine - 1)
    }

    enum CodingKeys: String, CodingKey {
        case number, key
        case keySource = "key_source"
        case kind, line, column
        case endLine = "end_line"
        case section, title, prose
        case language, interpreter, code
        case codeSHA256 = "code_sha256"
        case attributes, checked
        case form, commands, placeholders, rehearsal
    }

    /// Writes the step as `show --json` has always had it, the computed `code_sha256` and
    /// `commands` included.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(number, forKey: .number)
        try c.encode(key, forKey: .key)
        try c.encode(keySource, forKey: .keySource)
        try c.encode(kind, forKey: .kind)
        try c.encode(line, forKey: .line)
        try c.encode(column, forKey: .column)
        try c.encode(endLine, forKey: .endLine)
        try c.encodeIfPresent(section, forKey: .section)
        try c.encode(title, forKey: .title)
        try c.encode(prose, forKey: .prose)
        try c.encodeIfPresent(language, forKey: .language)
        try c.encodeIfPresent(interpreter, forKey: .interpreter)
        try c.encodeIfPresent(code, forKey: .code)
        try c.encodeIfPresent(codeSHA256, forKey: .codeSHA256)
        try c.encode(attributes, forKey: .attributes)
        try c.encodeIfPresent(checked, forKey: .checked)
        try c.encodeIfPresent(form, forKey: .form)
        try c.encodeIfPresent(commands, forKey: .commands)
        try c.encode(placeholders, forKey: .placeholders)
        try c.encodeIfPresent(rehearsal, forKey: .rehearsal)
    }
}

/// Where a step stands: its number, lines, column and section (-1: none), 20 bytes where five
/// `Int`s and an optional took 48.
private struct StepPosition: Sendable, Hashable {
    var number: Int32 = 0
    var line: Int32 = 0
    var column: Int32 = 1
    var endLine: Int32 = 0
    var section: Int32 = -1
}

/// What few steps have, kept in one `DefaultBox` (8 bytes a step where the three took 24).
private struct StepExtras: BoxDefault {
    /// A transcript's commands; nil for a script (its one command is `code`).
    var transcriptCommands: [CodeCommand]?
    var placeholders: [Placeholder] = []
    var rehearsal: RehearsalBlock?
    /// A script's one command, when it does not stand where the code does (`Step.codeSpan`).
    var scriptSpan: ScriptSpan?
}

/// Where a script step's one command stands: first line, column and last line (an array of one
/// `CodeCommand` with a copy of the code took about 200 bytes; most steps keep none of it, their
/// command standing where their code does).
private struct ScriptSpan: Sendable, Hashable {
    var line: Int32 = 0
    var column: Int32 = 1
    var endLine: Int32 = 0
}

/// Prose a run shows by itself, where it stands in the document: text under a heading that is not
/// directly before a step (the introduction under the H1, a warning after a section's last step).
public struct Passage: Sendable, Codable, Hashable {
    /// The Markdown as written, blank lines around it trimmed.
    public var text: String {
        get { textBytes.string }
        set { textBytes = FileText(newValue) }
    }
    /// `text`, as the stretch of the file's bytes it is (`FileText`): a runbook that is mostly
    /// prose holds its file once, not once more as passages.
    private(set) var textBytes: FileText
    /// First line of it in the file.
    public var line: Int
    /// Last line of it in the file.
    public var endLine: Int
    /// Index of the section it stands in, if any.
    public var section: Int?
    /// The number of the step it comes before, or nil when no step follows it (shown at the end of the run).
    public var beforeStep: Int?
    /// Whether it follows a step of its own section (shown as the end of that section).
    public var endsSection: Bool

    /// A passage as the parser finds it: its text where it stands in the file.
    init(text: FileText, line: Int, endLine: Int, section: Int?, beforeStep: Int?, endsSection: Bool) {
        self.textBytes = text
        self.line = line
        self.endLine = endLine
        self.section = section
        self.beforeStep = beforeStep
        self.endsSection = endsSection
    }

    enum CodingKeys: String, CodingKey {
        case textBytes = "text"
        case line
        case endLine = "end_line"
        case section
        case beforeStep = "before_step"
        case endsSection = "ends_section"
    }
}

/// A code block that is not a step: shown as reference, never run.
public struct ReferenceBlock: Sendable, Codable, Hashable {
    /// The language as written, empty when none.
    public var language: String
    /// `fenced` or `indented`.
    public var form: String
    /// First line of the block.
    public var line: Int
    /// Last line of the block.
    public var endLine: Int
    /// Index of the enclosing section, if any.
    public var section: Int?

    enum CodingKeys: String, CodingKey {
        case language, form, line
        case endLine = "end_line"
        case section
    }
}

/// `5400` → `1h30m`, `90` → `1m30s`, `0.5` → `500ms`.
func formatDuration(_ seconds: Double) -> String {
    if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
    var rest = Int(seconds.rounded())
    var out = ""
    if rest >= 3600 {
        out += "\(rest / 3600)h"
        rest %= 3600
    }
    if rest >= 60 {
        out += "\(rest / 60)m"
        rest %= 60
    }
    if rest > 0 || out.isEmpty { out += "\(rest)s" }
    return out
}

/// Where things stand in the file that its steps do not say, for rewriting it (`adopt`).
struct SourceLayout: Sendable {
    /// Where runbook's front matter keys are.
    var frontMatter = FrontMatterLayout()
    /// Per code step in a shell language, by step index.
    var steps: [Int: StepLayout] = [:]
    /// Every reading, in any step, of a variable the params lint reports as undeclared.
    var undeclaredReads: [ReferenceLint.Reference] = []
}

/// What a shell step's text holds besides its commands.
struct StepLayout: Sendable {
    /// The prompts (and continuation prompts) before its command lines, for a transcript.
    var prompts: [PromptMark] = []
    /// Whether any command shows expected output.
    var hasOutput = false
    /// Whether lines could not be split into commands and output (a `transcript-mix` finding).
    var mixed = false
    /// What the block holds instead of commands, when it is an example.
    var example: ExampleKind?
}
