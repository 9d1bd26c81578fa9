import ArgumentParser
import RunbookKit

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Lint runbooks and report problems as FILE:LINE:COL: error|warning: text.",
        discussion: """
        Checks every file for what would make a run go wrong: unclosed code fences, NUL bytes \
        and invalid UTF-8, lone carriage returns, unknown or malformed step attributes, bad \
        values, duplicate step keys, params read but never declared or declared but never \
        read, and files over the size limit. 'runbook run' refuses a runbook with errors.

        Examples:
          $ runbook check runbooks/*.md
          $ runbook check --json runbooks/deploy.md
          $ runbook check --warnings-as-errors runbooks/rollback.md

        Exit codes: 0 no errors (warnings allowed); 2 at least one error, or a file \
        could not be read.
        """
    )

    @Argument(help: "The runbook files.", completion: .file(extensions: ["md", "markdown"]))
    var files: [String]

    @Flag(help: "Print the findings as JSON (format 'runbook-check') on standard output.")
    var json = false

    @Flag(help: "Treat warnings as errors (exit 2 when any is found).")
    var warningsAsErrors = false

    @Flag(name: .shortAndLong, help: "Print only errors and warnings, no summary line.")
    var quiet = false

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one runbook file, e.g. 'runbook check runbooks/*.md'") }
    }

    func run() throws {
        let style = Style.forDescriptor(2, environment: processEnvironment())
        var reports: [CheckReport.File] = []
        var unreadable = 0
        for file in files {
            let runbook: Runbook
            do {
                runbook = try RunbookParser.parse(path: file)
            } catch {
                unreadable += 1
                let diagnostic = Diagnostic(path: file, line: 1, column: 1, severity: .error, rule: "unreadable", message: error.reason)
                if !json { writeStderr(DiagnosticText.render(diagnostic, style: style) + "\n") }
                reports.append(CheckReport.File(path: file, errors: 1, warnings: 0, steps: 0, diagnostics: [diagnostic]))
                continue
            }
            var diagnostics = runbook.diagnostics
            if warningsAsErrors {
                diagnostics = diagnostics.map { var d = $0; d.severity = .error; return d }
            }
            if !json {
                for diagnostic in diagnostics { writeStderr(DiagnosticText.render(diagnostic, style: style) + "\n") }
            }
            reports.append(CheckReport.File(path: file,
                                 errors: diagnostics.filter { $0.severity == .error }.count,
                                 warnings: diagnostics.filter { $0.severity == .warning }.count,
                                 steps: runbook.steps.count, diagnostics: diagnostics))
        }
        let report = CheckReport(files: reports)
        if json {
            writeStdout(try encodeJSON(report) + "\n")
        } else if !quiet {
            let fileWord = files.count == 1 ? "file" : "files"
            let summary = "checked \(files.count) \(fileWord): \(report.errors) error\(report.errors == 1 ? "" : "s"), \(report.warnings) warning\(report.warnings == 1 ? "" : "s")"
            writeStderr((report.errors > 0 ? style.red(summary) : summary) + "\n")
        }
        if report.errors > 0 || unreadable > 0 { throw ExitCode(ExitStatus.badInput.rawValue) }
    }
}
