import Foundation

/// The `runbook show --json` document (format `runbook-plan`, version 1).
///
/// Documented in docs/format.md; scripts and later commands rely on its keys.
public struct PlanDocument: Codable, Sendable {
    public var format = "runbook-plan"
    public var version = 1
    public var path: String
    public var sha256: String
    public var bytes: Int
    public var title: String?
    public var description: String?
    public var params: [Param]
    public var defaults: Defaults
    public var sections: [Section]
    public var steps: [Step]
    public var references: [ReferenceBlock]
    public var diagnostics: [Diagnostic]

    /// The plan of a parsed runbook.
    public init(_ runbook: Runbook) {
        path = runbook.path
        sha256 = runbook.sha256
        bytes = runbook.byteCount
        title = runbook.title
        description = runbook.description
        params = runbook.params
        defaults = runbook.defaults
        sections = runbook.sections
        steps = runbook.steps
        references = runbook.references
        diagnostics = runbook.diagnostics
    }
}

/// The `runbook check --json` document.
public struct CheckReport: Codable, Sendable {
    public struct File: Codable, Sendable {
        public var path: String
        public var errors: Int
        public var warnings: Int
        public var steps: Int
        public var diagnostics: [Diagnostic]

        public init(path: String, errors: Int, warnings: Int, steps: Int, diagnostics: [Diagnostic]) {
            self.path = path
            self.errors = errors
            self.warnings = warnings
            self.steps = steps
            self.diagnostics = diagnostics
        }
    }
    public var format = "runbook-check"
    public var version = 1
    public var files: [File]
    public var errors: Int
    public var warnings: Int

    public init(files: [File]) {
        self.files = files
        errors = files.reduce(0) { $0 + $1.errors }
        warnings = files.reduce(0) { $0 + $1.warnings }
    }
}

/// JSON with sorted keys and no escaped slashes, as every `--json` prints.
public func encodeJSON<T: Encodable>(_ value: T, pretty: Bool = true) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
