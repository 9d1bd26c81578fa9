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

/// The attributes written after a code step's language, checked and typed.
public struct StepAttributes: Sendable, Codable, Hashable {
    /// `id=`: the step's key, used as written; unique in the file.
    public var id: String?
    /// `name=`: makes the key the heading path plus `/` plus this name (ignored when `id` is set).
    public var name: String?
    /// `timeout=`: the step's own limit; nil when it sets none and the front matter default applies.
    public var timeout: StepTimeout?
    /// `confirm`: ask the operator before running the step; under `--yes` it runs, recorded as a `run` decision.
    public var confirm: Bool = false
    /// `retries=`: extra attempts after a failure before `onFailure` applies.
    public var retries: Int = 0
    /// `on-failure=`: what happens once the step has failed and its retries are used up.
    public var onFailure: FailurePolicy = .prompt
    /// `interactive`: the step needs the operator's terminal and runs on a pseudo-terminal.
    public var interactive: Bool = false
    /// `dir=`: the step's working directory, overriding the front matter `dir`.
    public var dir: String?
    /// `env=NAME=value`: environment variables for this step only, in the order written.
    public var env: [EnvVar] = []
    /// Whether the step is marked never to run.
    public var skip: Bool = false
    /// Why it is skipped, when the runbook says.
    public var skipReason: String?
    /// `idempotent`: running the step again is safe, so resume reruns it when its outcome is unknown.
    public var idempotent: Bool = false
    /// Exit codes that count as success (default `[0]`).
    public var expectExit: [Int32] = [0]
    /// `rehearse="…"`: a read-only command a rehearsal (`run --dry-run`) runs instead of the step.
    public var rehearse: String?
    /// `retry-delay=5s`: seconds to wait before the first automatic retry; the wait doubles each
    /// time (at most 60 s). Nil: 2 s. `retry-delay=0s` retries at once.
    public var retryDelay: Double?
    /// The attributes as written, in order (`key`, `value`), for display.
    public var written: [WrittenAttribute] = []

    enum CodingKeys: String, CodingKey {
        case id, name, timeout, confirm, retries
        case onFailure = "on_failure"
        case interactive, dir, env, skip
        case skipReason = "skip_reason"
        case idempotent
        case expectExit = "expect_exit"
        case rehearse
        case retryDelay = "retry_delay"
        case written
    }
}

/// One attribute as written in the fence's info string.
public struct WrittenAttribute: Sendable, Codable, Hashable {
    /// The attribute's name as written, aliases and ignored Runme attributes included (`cwd`).
    public var key: String
    /// The value, or nil for a bare flag such as `confirm`.
    public var value: String?
    /// Column of the key in the file.
    public var column: Int
}

/// A code or manual step.
public struct Step: Sendable, Codable, Hashable {
    /// 1-based position among all steps.
    public var number: Int
    /// The stable identity recorded in journals: `id`, else the heading path plus `name`, else plus `#N`.
    public var key: String
    /// Whether `key` came from an `id`, a `name`, or the step's position under its heading.
    public var keySource: KeySource
    /// A code step or a manual one.
    public var kind: StepKind
    /// Line of the opening fence or of the task item.
    public var line: Int
    /// Column where the block or item starts.
    public var column: Int
    /// Last line of the block or item.
    public var endLine: Int
    /// Index of the enclosing section, if any.
    public var section: Int?
    /// A one-line title: the task text, else the enclosing task item's text, else the heading.
    public var title: String
    /// The Markdown between the previous step (or heading) and this one, shown with it.
    public var prose: String
    /// The fence language as written (code steps).
    public var language: String?
    /// The program that runs the code, e.g. `bash` (code steps).
    public var interpreter: String?
    /// The code to run, LF line ends (code steps).
    public var code: String?
    /// SHA-256 of `code` (code steps).
    public var codeSHA256: String?
    /// Typed attributes (defaults for manual steps).
    public var attributes: StepAttributes
    /// For manual steps: whether the task was already ticked (`- [x]`) in the file.
    public var checked: Bool?
    /// How the code is written (code steps): a `script`, or a console `transcript` of prompts and output.
    public var form: CodeForm?
    /// What runs, command by command (code steps): a script's whole code, or a transcript's commands.
    public var commands: [CodeCommand]?
    /// Values to fill in that the commands hold (`<namespace>`, `YOUR_TOKEN_HERE`, an undeclared `${CLUSTER}`).
    public var placeholders: [Placeholder] = []
    /// The `{rehearse-for=KEY}` block a rehearsal runs instead of the code (code steps that have one).
    public var rehearsal: RehearsalBlock?

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
}

/// Prose a run shows by itself, where it stands in the document: text under a heading that is not
/// directly before a step (the introduction under the H1, a warning after a section's last step).
public struct Passage: Sendable, Codable, Hashable {
    /// The Markdown as written, blank lines around it trimmed.
    public var text: String
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

    enum CodingKeys: String, CodingKey {
        case text, line
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
