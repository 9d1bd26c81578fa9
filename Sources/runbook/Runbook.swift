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
        subcommands: [Run.self, Resume.self, Runs.self, Show.self, Check.self, Verify.self]
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

/// Writes text to standard error unbuffered.
func writeStderr(_ text: String) {
    var text = text
    text.withUTF8 { buffer in
        var offset = 0
        while offset < buffer.count {
            let n = write(2, buffer.baseAddress! + offset, buffer.count - offset)
            if n <= 0 { if errno == EINTR { continue }; return }
            offset += n
        }
    }
}

/// Writes text to standard output unbuffered (so it interleaves correctly with standard error).
func writeStdout(_ text: String) {
    var text = text
    text.withUTF8 { buffer in
        var offset = 0
        while offset < buffer.count {
            let n = write(1, buffer.baseAddress! + offset, buffer.count - offset)
            if n <= 0 { if errno == EINTR { continue }; return }
            offset += n
        }
    }
}

/// The process environment as a dictionary.
func processEnvironment() -> [String: String] {
    var result: [String: String] = [:]
    var pointer = environ
    while let entry = pointer.pointee {
        let pair = String(cString: entry)
        if let eq = pair.firstIndex(of: "=") {
            result[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
        }
        pointer += 1
    }
    return result
}
