import ArgumentParser
import RunbookKit

struct Adopt: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adopt",
        abstract: "Rewrite a wiki runbook into one runbook can run, printing what it changes as a unified diff.",
        discussion: """
            Gives every step a stable id= (from its heading), removes the '$ ' prompts of console \
            transcripts that show no output, turns placeholders such as <namespace> or \
            YOUR_TOKEN_HERE into required params in the front matter, and re-tags blocks that are \
            examples rather than commands (output, YAML shown as bash, another program's session) so \
            they never run. Nothing outside steps and front matter changes, byte for byte. What it \
            cannot decide it leaves, with a note on standard error.

            The diff goes to standard output; without -o or --in-place nothing is written.

            Examples:
              $ runbook adopt docs/runbooks/pod-stuck.md
              $ runbook adopt docs/runbooks/pod-stuck.md -o runbooks/pod-stuck.md
              $ runbook adopt --in-place docs/runbooks/*.md
              $ runbook adopt --check docs/runbooks/pod-stuck.md

            Exit codes: 0 done (or, with --check, nothing would change); 1 with --check, the file \
            would change; 2 bad usage, an unreadable file, a file with errors (fix them first, see \
            'runbook check'), or an output that cannot be written.
            """
    )

    @Argument(help: "The runbook files.", completion: .file(extensions: ["md", "markdown"]))
    var files: [String]

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the rewritten runbook here.", valueName: "OUT"), completion: .file())
    var output: String?

    @Flag(help: "Write the rewritten runbook over the file.")
    var inPlace = false

    @Flag(help: "Write nothing; exit 1 when a file would change (for CI).")
    var check = false

    func validate() throws {
        if files.isEmpty { throw ValidationError("name a runbook file, e.g. 'runbook adopt docs/pod-stuck.md'") }
        if output != nil && inPlace { throw ValidationError("give -o OUT or --in-place, not both") }
        if check && (output != nil || inPlace) { throw ValidationError("--check writes nothing; drop -o and --in-place") }
        if output != nil && files.count > 1 { throw ValidationError("-o takes one input file; use --in-place for several") }
    }

    func run() throws {
        var wouldChange = false
        for file in files {
            if inPlace {
                do { _ = try AdoptFile.target(of: file, replacing: true) } catch { throw fail(error.message, .badInput) }
            }
            let result = try adopt(file)
            wouldChange = wouldChange || result.changed
            let target = output ?? file
            writeStdout(result.diff(from: file, to: target))
            for note in result.notes { writeStderr("\(file):\(note.line):\(note.column): note: \(note.message)\n") }
            guard !check, inPlace || output != nil else { continue }
            guard result.changed || !inPlace else { continue }
            do {
                try AdoptFile.write(result.adopted, to: target, replacing: inPlace)
            } catch {
                throw fail(error.message, .badInput)
            }
        }
        if output == nil && !inPlace && !check { writeStderr("runbook: nothing written; pass -o OUT or --in-place to write\n") }
        if check && wouldChange { throw ExitCode(1) }
    }

    /// Reads a file; one that cannot be read or has errors stops with exit 2, the errors printed.
    private func adopt(_ file: String) throws -> AdoptResult {
        let runbook: Runbook
        do {
            runbook = try RunbookParser.parse(path: file)
        } catch {
            throw fail(error.description, .badInput)
        }
        guard !runbook.hasErrors else {
            let style = Style.forDescriptor(2, environment: processEnvironment())
            for diagnostic in runbook.diagnostics where diagnostic.severity == .error {
                writeStderr(DiagnosticText.render(diagnostic, style: style) + "\n")
            }
            throw fail("\(file) has errors, so its steps are in doubt; fix them first (see 'runbook check \(file)')", .badInput)
        }
        return AdoptRewrite.adopt(runbook)
    }
}
