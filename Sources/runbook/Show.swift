import ArgumentParser
import RunbookKit

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print a runbook's plan: sections, steps with key, kind, line and attributes, and params.",
        discussion: """
            Shows what 'runbook run' would do, without running anything. Problems found while \
            reading the file are printed to standard error as in 'runbook check'.

            Examples:
              $ runbook show runbooks/rollback.md
              $ runbook show --json runbooks/rollback.md | jq -r '.steps[] | "\\(.line) \\(.key)"'

            Exit codes: 0 shown (even with warnings); 2 the file is unreadable or has errors \
            (the plan is still printed).
            """
    )

    @Argument(help: "The runbook file.", completion: .file(extensions: ["md", "markdown"]))
    var file: String

    @Flag(help: "Print the plan as JSON (format 'runbook-plan', documented in docs/format.md).")
    var json = false

    func run() throws {
        let runbook: Runbook
        do {
            runbook = try RunbookParser.parse(path: file)
        } catch {
            throw fail(error.description, .badInput)
        }
        let env = processEnvironment()
        if json {
            writeStdout(try encodeJSON(PlanDocument(runbook)) + "\n")
        } else {
            writeStdout(PlanText(runbook, style: .forDescriptor(1, environment: env)).render())
            let errStyle = Style.forDescriptor(2, environment: env)
            for diagnostic in runbook.diagnostics {
                writeStderr(DiagnosticText.render(diagnostic, style: errStyle) + "\n")
            }
        }
        if runbook.hasErrors { throw ExitCode(ExitStatus.badInput.rawValue) }
    }
}
