import Foundation

/// The `runbook show --json` document (format `runbook-plan`, version 2: snake_case keys).
///
/// Documented in docs/format.md; scripts and later commands rely on its keys.
public struct PlanDocument: Encodable, Sendable {
    /// Names the document's kind for scripts; always `runbook-plan`.
    public var format = "runbook-plan"
    /// The format's version; 2 since the keys became snake_case.
    public var version = 2
    /// The runbook file as named on the command line.
    public var path: String
    /// SHA-256 (hex) of the file's exact bytes; empty when the file is over the size limit.
    public var sha256: String
    /// Size of the file in bytes.
    public var bytes: Int
    /// Front matter `title`, else the first level-1 heading.
    public var title: String?
    /// Front matter `description`.
    public var description: String?
    /// Declared params, in declaration order.
    public var params: [Param]
    /// Runbook-wide defaults from the front matter.
    public var defaults: Defaults
    /// Every heading, in document order.
    public var sections: [Section]
    /// Every code and manual step, in document order.
    public var steps: [Step]
    /// Code blocks that are shown but never run.
    public var references: [ReferenceBlock]
    /// Every finding about the file, in file order.
    public var diagnostics: [Diagnostic]
    /// Every placeholder name the steps hold, once, with the steps holding it (added in version 2; older
    /// readers ignore it).
    public var placeholders: [PlaceholderSummary]

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
        placeholders = runbook.placeholders
    }
}

/// JSON with sorted keys and no escaped slashes, as every `--json` prints.
public func encodeJSON<T: Encodable>(_ value: T, pretty: Bool = true) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
