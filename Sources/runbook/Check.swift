import ArgumentParser
import RunbookKit

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
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
        let report = CheckReport.check(files, warningsAsErrors: warningsAsErrors)
        if json {
            writeStdout(try encodeJSON(report) + "\n")
        } else {
            for diagnostic in report.files.flatMap(\.diagnostics) {
                writeStderr(DiagnosticText.render(diagnostic, style: style) + "\n")
            }
            if !quiet { writeStderr((report.errors > 0 ? style.red(report.summary) : report.summary) + "\n") }
        }
        if report.errors > 0 { throw ExitCode(ExitStatus.badInput.rawValue) }
    }
}
