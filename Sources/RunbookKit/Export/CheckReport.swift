/// The `runbook check --json` document (format `runbook-check`), and the check itself.
public struct CheckReport: Codable, Sendable {
    /// One file's findings.
    public struct File: Codable, Sendable {
        /// The file as named.
        public var path: String
        /// How many errors.
        public var errors: Int
        /// How many warnings.
        public var warnings: Int
        /// How many steps it has.
        public var steps: Int
        /// Every finding, in file order.
        public var diagnostics: [Diagnostic]

        /// A file's findings.
        public init(path: String, errors: Int, warnings: Int, steps: Int, diagnostics: [Diagnostic]) {
            self.path = path
            self.errors = errors
            self.warnings = warnings
            self.steps = steps
            self.diagnostics = diagnostics
        }
    }
    /// Always `runbook-check`.
    public var format = "runbook-check"
    /// The format's version.
    public var version = 1
    /// Each file checked, in the order given.
    public var files: [File]
    /// Errors in all files.
    public var errors: Int
    /// Warnings in all files.
    public var warnings: Int

    /// A report over `files`.
    public init(files: [File]) {
        self.files = files
        errors = files.reduce(0) { $0 + $1.errors }
        warnings = files.reduce(0) { $0 + $1.warnings }
    }

    /// Reads and lints every file; an unreadable file is one error (rule `unreadable`).
    /// `warningsAsErrors` counts every warning as an error.
    public static func check(_ paths: [String], warningsAsErrors: Bool) -> CheckReport {
        var files: [File] = []
        for path in paths {
            let runbook: Runbook
            do {
                runbook = try RunbookParser.parse(path: path)
            } catch {
                let diagnostic = Diagnostic(path: path, line: 1, column: 1, severity: .error, rule: "unreadable", message: error.reason)
                files.append(File(path: path, errors: 1, warnings: 0, steps: 0, diagnostics: [diagnostic]))
                continue
            }
            var diagnostics = runbook.diagnostics
            if warningsAsErrors {
                diagnostics = diagnostics.map { d in
                    var d = d
                    d.severity = .error
                    return d
                }
            }
            files.append(
                File(
                    path: path, errors: diagnostics.filter { $0.severity == .error }.count,
                    warnings: diagnostics.filter { $0.severity == .warning }.count, steps: runbook.steps.count, diagnostics: diagnostics))
        }
        return CheckReport(files: files)
    }

    /// `checked 2 files: 1 error, 0 warnings`.
    public var summary: String {
        let fileWord = files.count == 1 ? "file" : "files"
        return "checked \(files.count) \(fileWord): \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")"
    }
}
