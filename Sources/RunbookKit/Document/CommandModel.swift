/// How a code step is written: a script to run as it stands, or a console transcript.
public enum CodeForm: String, Sendable, Codable, Hashable {
    /// Plain code: the whole block is one program.
    case script
    /// Lines after a prompt (`$ `, `user@host:~$ `, `PS> `) are commands, the other lines the output
    /// the author saw (markdownlint's MD014 sense of a console block).
    case transcript
}

/// One command of a code step, with where it stands in the file.
///
/// A script step has one command, its whole code. A transcript step has one per prompt: the text after
/// the prompt, with `\` continuations, `> ` continuation lines and heredoc bodies kept whole (their
/// continuation prompts removed), and the output shown after it.
public struct CodeCommand: Sendable, Codable, Hashable {
    /// What runs: prompts removed, lines joined with LF, no final LF.
    public var text: String
    /// File line where the command starts.
    public var line: Int
    /// Column (UTF-8 bytes) of the command's first byte, after its prompt.
    public var column: Int
    /// Last file line of the command.
    public var endLine: Int
    /// The prompt as written (`$ `, `user@host:~$ `, `PS> `); nil for a script.
    public var prompt: String?
    /// Transcript only: the lines shown after the command up to the next prompt, blank lines at either
    /// end dropped, LF-joined; empty when the author showed none. Nil for a script.
    public var expectedOutput: String?
    /// Transcript only: file line of the first line of `expectedOutput`, nil when there is none.
    public var outputLine: Int?

    enum CodingKeys: String, CodingKey {
        case text, line, column
        case endLine = "end_line"
        case prompt
        case expectedOutput = "expected_output"
        case outputLine = "output_line"
    }
}

/// What a placeholder looks like as written.
public enum PlaceholderKind: String, Sendable, Codable, Hashable {
    /// `<namespace>`, `<pod-name>`, `<value of instance label from alert>`.
    case angle
    /// `YOUR_TOKEN_HERE`, `CHANGEME`, `REPLACE_ME`.
    case marker
    /// `${CLUSTER}` or `$CLUSTER`: an upper-case variable nothing declares, sets or assigns.
    case variable
}

/// The shell quoting around a placeholder, which decides how a value is substituted for it.
public enum PlaceholderQuoting: String, Sendable, Codable, Hashable {
    /// Outside quotes: substitute one shell-quoted word.
    case none
    /// Inside `'…'`: end the quote, substitute, reopen it.
    case single
    /// Inside `"…"`: escape `"`, `\`, `$` and `` ` `` in the value.
    case double
    /// In the body of a heredoc whose delimiter is unquoted: as `double`, but quotes are literal.
    case heredoc
    /// In the body of a heredoc whose delimiter is quoted (`<<'EOF'`): the value goes in as written.
    case literalHeredoc = "literal_heredoc"
}

/// A value the author meant the operator to fill in, found in a step's commands.
public struct Placeholder: Sendable, Codable, Hashable {
    /// The param it stands for: `<pod-name>` → `POD_NAME`, `YOUR_TOKEN_HERE` → `TOKEN`, `NAME=<…>` → `NAME`.
    public var name: String
    /// The placeholder as written, e.g. `<pod-name>` or `${CLUSTER}`.
    public var token: String
    /// What it looks like.
    public var kind: PlaceholderKind
    /// Human words for the value (`pod name`, `value of instance label from alert`), for the prompt.
    public var label: String
    /// Whether the name looks like a secret's (token, password, key, secret): its value is never recorded.
    public var secret: Bool
    /// Whether a param of this name is declared (then its value fills the placeholder).
    public var declared: Bool
    /// File position of the token's first byte.
    public var line: Int
    /// Column (UTF-8 bytes) of the token's first byte.
    public var column: Int
    /// Index into the step's `commands` of the command holding it.
    public var command: Int
    /// UTF-8 offset of the token in that command's `text`.
    public var offset: Int
    /// UTF-8 length of the token.
    public var length: Int
    /// The quoting around the token.
    public var quoting: PlaceholderQuoting
}

/// One value to ask for: a placeholder name, with every step that holds it (one question for all).
public struct PlaceholderSummary: Sendable, Codable, Hashable {
    /// The param name.
    public var name: String
    /// Human words for the value, from its first occurrence.
    public var label: String
    /// Whether its value is a secret's.
    public var secret: Bool
    /// Whether a param of this name is declared.
    public var declared: Bool
    /// Keys of the steps that hold it, in file order.
    public var steps: [String]
    /// Position of its first occurrence.
    public var line: Int
    /// Column of its first occurrence.
    public var column: Int
}
