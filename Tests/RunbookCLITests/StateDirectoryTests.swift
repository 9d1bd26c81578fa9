import Foundation
import Testing

@Suite("State directory on the command line", .tags(.endToEnd))
struct StateDirectoryTests {
    static let runbookText = "# T\n\n```bash {id=a}\necho hi\n```\n"

    /// Every command that takes `--state-dir`, with the arguments it needs besides.
    static let commands: [[String]] = [
        ["run", "--yes", "RUNBOOK"], ["resume", "RUNBOOK"], ["runs"], ["status", "RUNBOOK"],
        ["export", "RUNBOOK"], ["diff", "RUNBOOK", "RUNBOOK"], ["verify", "RUNBOOK"],
    ]

    @Test("an empty --state-dir is a usage error naming the option, and nothing is written", arguments: commands)
    func emptyStateDir(command: [String]) throws {
        let box = Sandbox()
        let file = box.write("t.md", Self.runbookText)
        let home = box.root + "/home"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: false)
        let arguments = command.map { $0 == "RUNBOOK" ? file : $0 }
        let r = runbook(arguments + ["--state-dir", ""], env: ["HOME": home])
        #expect(r.status == 2, "\(arguments): \(r.stderr)")
        #expect(
            r.stderr.contains("--state-dir is empty; give a folder, or leave the option out to use '\(home)/.local/state/runbook'"),
            "\(r.stderr)")
        #expect(r.stdout.isEmpty, "\(r.stdout)")
        // `--state-dir=` is argument-parser's own usage error ("Missing value"), also exit 2 naming the option.
        let joined = runbook(arguments + ["--state-dir="], env: ["HOME": home])
        #expect(joined.status == 2, "\(arguments): \(joined.stderr)")
        #expect(joined.stderr.contains("--state-dir"), "\(joined.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: home).isEmpty, "nothing under HOME")
        #expect(try FileManager.default.contentsOfDirectory(atPath: box.root).sorted() == ["home", "t.md"])
    }

    @Test("an empty RUNBOOK_STATE_DIR counts as unset: the run goes to the default folder")
    func emptyEnvironmentVariable() throws {
        let box = Sandbox()
        let file = box.write("t.md", Self.runbookText)
        let home = box.root + "/home"
        let r = runbook(["run", "--yes", file], env: ["HOME": home, "RUNBOOK_STATE_DIR": ""])
        #expect(r.status == 0, "\(r.stderr)")
        let runs = try FileManager.default.contentsOfDirectory(atPath: home + "/.local/state/runbook/runs")
        #expect(runs.count == 1)
        let listed = runbook(["runs"], env: ["HOME": home, "RUNBOOK_STATE_DIR": ""])
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout.contains(try #require(runs.first)))
    }
}
