import ArgumentParser
import RunbookKit

#if canImport(Glibc)
    import Glibc
#endif

@main
struct RunbookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runbook",
        abstract: "Run Markdown runbooks step by step, with a crash-safe journal.",
        discussion: """
            A runbook is a Markdown file: fenced code blocks in a runnable language are steps, \
            task items ('- [ ] text') are manual steps, everything else is shown as reference.

            Examples:
              $ runbook run runbooks/rollback.md
              $ runbook check runbooks/*.md
              $ runbook show runbooks/rollback.md
              $ runbook show --json runbooks/deploy.md | jq '.steps[].key'

            \(ExitStatus.summary)
            """,
        version: RunbookVersion.string,
        subcommands: [Run.self, Resume.self, Runs.self, Status.self, Show.self, Check.self, Verify.self, Export.self, Diff.self, Adopt.self]
    )

    /// Parses and runs, mapping argument errors to exit 2 (the documented "bad usage" code).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error) == .validationFailure {
                writeStderr(fullMessage(for: error) + "\n")
                Glibc.exit(ExitStatus.badInput.rawValue)
            }
            exit(withError: error)
        }
    }
}
