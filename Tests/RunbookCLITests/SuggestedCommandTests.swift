import Foundation
import RunbookKit
import Testing

/// The `runbook …` commands quoted in `text` ('runbook …'), in order.
private func quotedCommands(in text: String) -> [String] {
    text.components(separatedBy: "'runbook ").dropFirst().compactMap { rest in
        rest.firstIndex(of: "'").map { "runbook " + rest[..<$0] }
    }
}

/// The text of `text` from `start` (kept) up to `end` (left out).
private func between(_ text: String, _ start: String, _ end: String) -> String? {
    guard let from = text.range(of: start), let to = text.range(of: end, range: from.upperBound..<text.endIndex) else { return nil }
    return String(text[from.lowerBound..<to.lowerBound])
}

/// Whether the journal of the run in `dir` records a resume.
private func resumed(_ dir: String) -> Bool {
    ((try? String(contentsOfFile: dir + "/journal.jsonl", encoding: .utf8)) ?? "").contains("resumed by tester@")
}

extension Sandbox {
    /// A HOME of the sandbox's own: the default state directory is in it (not where the tests
    /// keep their runs), so a command that drops --state-dir finds nothing and writes nothing outside.
    fileprivate var home: [String: String] { ["HOME": root + "/home"] }
}

/// A command the tool suggests names the runs it was pointed at: pasted as it is, with the same
/// environment, it works (runs kept with --state-dir, not in the default place).
@Suite("commands suggested for copy-paste work when pasted", .tags(.endToEnd))
struct SuggestedCommandTests {
    static let manual = "# M\n\n- [ ] do it {id=manual}\n"

    @Test("resume without a run: each unfinished run's command, pasted, resumes that run; the runs and run commands work too")
    func resumeWithoutRun() throws {
        let box = Sandbox()
        let file = box.write("m.md", Self.manual)
        let none = runbook(["resume", "--state-dir", box.state], env: box.home)
        #expect(none.status == 2)
        let listAll = try #require(quotedCommands(in: none.stderr).first, "\(none.stderr)")
        let listed = pasted(listAll, env: box.home)
        #expect(listed.status == 0 && listed.stdout == "no runs under \(box.state)/runs\n", "\(listAll): \(listed.stdout)\(listed.stderr)")
        let noRun = runbook(["resume", "--state-dir", box.state, file], env: box.home)
        let start = try #require(quotedCommands(in: noRun.stderr).first, "\(noRun.stderr)")
        #expect(pasted(start, env: box.home).status == 5, "\(start)")
        #expect(runbook(["run", "--new-run", "--state-dir", box.state, file], env: box.home).status == 5)
        #expect(box.runDirs().count == 2)
        let listing = runbook(["resume", "--state-dir", box.state], env: box.home)
        #expect(listing.status == 2)
        let lines = listing.stderr.split(separator: "\n").filter { $0.hasPrefix("  runbook resume ") }
        #expect(lines.count == 2, "\(listing.stderr)")
        for (line, dir) in zip(lines, box.runDirs()) {
            let command = String(line.prefix { $0 != "#" }).trimmingCharacters(in: .whitespaces)
            #expect(command.hasPrefix("runbook resume \((dir as NSString).lastPathComponent)"), "\(line)")
            let resume = pasted(command, env: box.home)
            #expect(resume.status == 5, "\(command): \(resume.stderr)")
            #expect(resumed(dir), "\(command)")
        }
    }

    @Test("run with an unfinished run: the resume and new-run commands it suggests, pasted, work")
    func runWithUnfinishedRun() throws {
        let box = Sandbox()
        let file = box.write("m.md", Self.manual)
        #expect(runbook(["run", "--state-dir", box.state, file], env: box.home).status == 5)
        let run = runbook(["run", "--state-dir", box.state, file], env: box.home)
        #expect(run.status == 5)
        let commands = quotedCommands(in: run.stderr)
        #expect(commands.count == 2, "\(run.stderr)")
        guard commands.count == 2 else { return }
        let resume = pasted(commands[0], env: box.home)
        #expect(resume.status == 5, "\(commands[0]): \(resume.stderr)")
        #expect(resumed(box.runDirs()[0]))
        let newRun = pasted(commands[1], env: box.home)
        #expect(newRun.status == 5, "\(commands[1]): \(newRun.stderr)")
        #expect(box.runDirs().count == 2)
    }

    @Test("resume: the status command under a folded preview, and the new-run command for a runbook replaced, pasted, work")
    func resumeHints() throws {
        let box = Sandbox()
        let steps = (1...5).map { "```bash {id=s\($0)}\ntrue\n```\n\n" }.joined()
        let file = box.write("m.md", "# M\n\n" + steps + "- [ ] do it {id=manual}\n")
        #expect(runbook(["run", "--state-dir", box.state, file], stdin: "r\nr\nr\nr\nr\n", env: box.home).status == 5)
        let resume = runbook(["resume", "--state-dir", box.state, file], env: box.home)
        #expect(resume.status == 5, "\(resume.stdout)\(resume.stderr)")
        let status = try #require(between(resume.stdout, "runbook status ", " lists each step"), "\(resume.stdout)")
        let shown = pasted(status, env: box.home)
        #expect(shown.status == 0 && shown.stdout.contains("manual"), "\(status): \(shown.stdout)\(shown.stderr)")
        box.write("m.md", "# Another\n\n- [ ] something else {id=other}\n")
        let replaced = runbook(["resume", "--state-dir", box.state, file], env: box.home)
        #expect(replaced.status == 5 && replaced.stderr.contains("is not the runbook this run started with"), "\(replaced.stderr)")
        let newRun = try #require(quotedCommands(in: replaced.stderr).first, "\(replaced.stderr)")
        #expect(pasted(newRun, env: box.home).status == 5, "\(newRun)")
        #expect(box.runDirs().count == 2)
    }

    @Test("export's verify line, diff's verify hint and the runs command of a run not found, pasted, work")
    func verifyAndRunsHints() throws {
        let box = Sandbox()
        let file = box.write("m.md", Self.manual)
        #expect(runbook(["run", "--state-dir", box.state, file], env: box.home).status == 5)
        let id = (box.runDirs()[0] as NSString).lastPathComponent
        let markdown = runbook(["export", "--state-dir", box.state, id], env: box.home).stdout
        let html = runbook(["export", "--format", "html", "--state-dir", box.state, id], env: box.home).stdout
        for verify in [between(markdown, "runbook verify ", "`."), between(html, "runbook verify ", "</code>")] {
            let command = try #require(verify, "\(markdown)\(html)")
            let checked = pasted(command, env: box.home)
            #expect(checked.status == 0, "\(command): \(checked.stdout)\(checked.stderr)")
        }
        for command in [["status"], ["resume"], ["export"]] {
            let missing = runbook(command + ["--state-dir", box.state, "no-such-run"], env: box.home)
            let runs = try #require(quotedCommands(in: missing.stderr).first, "\(missing.stderr)")
            let listed = pasted(runs, env: box.home)
            #expect(listed.status == 0 && listed.stdout.hasPrefix(id), "\(runs): \(listed.stdout)\(listed.stderr)")
        }
        #expect(runbook(["run", "--new-run", "--state-dir", box.state, file], env: box.home).status == 5)
        // The run's copy of its runbook changed: diff stops and says where to read more.
        let copy = try #require(FileHandle(forWritingAtPath: box.runDirs()[1] + "/runbook.md"))
        copy.seekToEndOfFile()
        copy.write(Data("changed\n".utf8))
        copy.closeFile()
        let diff = runbook(["diff", "--state-dir", box.state, id, (box.runDirs()[1] as NSString).lastPathComponent], env: box.home)
        #expect(diff.status == 4, "\(diff.stderr)")
        let verify = try #require(quotedCommands(in: diff.stderr).first, "\(diff.stderr)")
        let checked = pasted(verify, env: box.home)
        #expect(checked.status == 4 && (checked.stdout + checked.stderr).contains(box.runDirs()[1]), "\(verify): \(checked.stdout)\(checked.stderr)")
    }
}
