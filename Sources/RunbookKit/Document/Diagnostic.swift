/// How serious a finding is: an error stops `run`, a warning does not.
public enum Severity: String, Sendable, Codable, Hashable {
    case error
    case warning
}

/// One finding about a runbook file, located like a compiler's.
public struct Diagnostic: Sendable, Hashable, Codable {
    /// The file the finding is about, as the user named it.
    public var path: String
    /// 1-based line.
    public var line: Int
    /// 1-based column, in UTF-8 bytes.
    public var column: Int
    /// Error or warning.
    public var severity: Severity
    /// A stable identifier of the rule that found it (for example `unknown-attribute`).
    public var rule: String
    /// Lower-case text that says what is wrong and what to do.
    public var message: String

    /// Creates a diagnostic.
    public init(path: String, line: Int, column: Int, severity: Severity, rule: String, message: String) {
        self.path = path
        self.line = max(line, 1)
        self.column = max(column, 1)
        self.severity = severity
        self.rule = rule
        self.message = message
    }

    /// `FILE:LINE:COL: error|warning: text`, the form editors understand.
    public var rendered: String {
        "\(path):\(line):\(column): \(severity.rawValue): \(message)"
    }
}

/// Collects diagnostics for one file while it is read.
struct DiagnosticSink {
    let path: String
    private(set) var items: [Diagnostic] = []

    init(path: String) { self.path = path }

    mutating func error(_ rule: String, line: Int, column: Int = 1, _ message: String) {
        items.append(Diagnostic(path: path, line: line, column: column, severity: .error, rule: rule, message: message))
    }

    mutating func add(_ severity: Severity, _ rule: String, line: Int, column: Int = 1, _ message: String) {
        items.append(Diagnostic(path: path, line: line, column: column, severity: severity, rule: rule, message: message))
    }

    mutating func warning(_ rule: String, line: Int, column: Int = 1, _ message: String) {
        items.append(Diagnostic(path: path, line: line, column: column, severity: .warning, rule: rule, message: message))
    }

    /// Diagnostics in file order (line, column), errors first on a tie.
    var sorted: [Diagnostic] {
        items.enumerated().sorted { a, b in
            if a.element.line != b.element.line { return a.element.line < b.element.line }
            if a.element.column != b.element.column { return a.element.column < b.element.column }
            if a.element.severity != b.element.severity { return a.element.severity == .error }
            return a.offset < b.offset
        }.map(\.element)
    }
}
