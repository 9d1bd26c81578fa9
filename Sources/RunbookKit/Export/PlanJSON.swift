import Foundation

/// The `runbook show --json` document (format `runbook-plan`, version 2: snake_case keys).
///
/// Documented in docs/format.md; scripts and later commands rely on its keys.
public struct PlanDocument: Codable, Sendable {
    public var format = "runbook-plan"
    public var version = 2
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

/// JSON with sorted keys and no escaped slashes, as every `--json` prints.
public func encodeJSON<T: Encodable>(_ value: T, pretty: Bool = true) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
