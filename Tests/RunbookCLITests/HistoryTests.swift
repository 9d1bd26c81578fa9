import Foundation
import RunbookKit
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// History must tell the truth (issue 7, items 6, 10–12).
@Suite("runbook runs and status tell the truth", .tags(.endToEnd))
struct HistoryTests {
    @Test("runs: running with its pid, interrupted at the step whose runner died, paused by the operator, cut records")
    func runStates() throws {
        let box = Sandbox()
        let marker = "67.\(getpid())"
        let file = box.write("long.md", "# L\n\n```bash {id=first}\ntrue\n```\n\n```bash {id=long}\nsleep \(marker)\n```\n")
        let session = TerminalSession(["run", "--yes", "--state-dir", box.state, file])
        #expect(eventually { !processes(matching: "sleep \(marker)").isEmpty })
        let running = runbook(["runs", "--state-dir", box.state])
        #expect(running.stdout.contains("running (pid \(session.pid))"), "\(running.stdout)")
        // The step a live runner is in runs; it is not an unknown outcome (nor marked as failed).
        let runId = URL(fileURLWithPath: try #require(box.runDirs().first)).lastPathComponent
        let live = runbook(["status", "--state-dir", box.state, runId])
        let liveLine = live.stdout.components(separatedBy: "\n").first { $0.contains(" long ") } ?? ""
        #expect(liveLine.contains("▸ running") && !liveLine.contains("✘"), "\(live.stdout)")
        kill(session.pid, SIGKILL)
        _ = session.wait()
        for pid in processes(matching: "sleep \(marker)") { kill(pid, SIGKILL) }
        let died = runbook(["runs", "--state-dir", box.state])
        #expect(died.stdout.contains("interrupted (at long)"), "\(died.stdout)")
        let deadLine = runbook(["status", "--state-dir", box.state, runId]).stdout.components(separatedBy: "\n").first { $0.contains(" long ") } ?? ""
        #expect(deadLine.contains("✘ unknown"), "once the runner is gone the outcome is unknown: \(deadLine)")
        let json = runbook(["runs", "--json", "--state-dir", box.state])
        #expect(json.stdout.contains("\"unknown_step\" : \"long\""), "\(json.stdout)")

        let paused = Sandbox()
        let three = paused.write("t.md", "# T\n\n```bash {id=a}\ntrue\n```\n\n```bash {id=b}\ntrue\n```\n\n```bash {id=c}\ntrue\n```\n")
        #expect(runbook(["run", "--state-dir", paused.state, three], stdin: "r\nq\n").status == 5)
        #expect(runbook(["runs", "--state-dir", paused.state]).stdout.contains("paused       1/3 steps"))
        // The last records cut at a line boundary: the chain still verifies, but the run did not stop on purpose.
        let journal = paused.runDirs()[0] + "/journal.jsonl"
        let lines = try String(contentsOfFile: journal, encoding: .utf8).split(separator: "\n")
        try (lines.dropLast(1).joined(separator: "\n") + "\n").write(toFile: journal, atomically: false, encoding: .utf8)
        #expect(runbook(["runs", "--state-dir", paused.state]).stdout.contains("interrupted"))
    }

    @Test("the latest run is the one that started last, not the one whose folder name sorts last: runs, resume FILE and run agree")
    func latestByStartTime() throws {
        let box = Sandbox()
        let file = box.write("m.md", "# M\n\n- [ ] do it {id=manual}\n")
        for _ in 0..<2 { #expect(runbook(["run", "--new-run", "--state-dir", box.state, file]).status == 5) }
        let dirs = box.runDirs()  // by their run_start times
        let older = (dirs[0] as NSString).lastPathComponent
        let newer = (dirs[1] as NSString).lastPathComponent
        // Two runs started in the same second, the newer with the lower random suffix: its folder
        // named so that it sorts first (the catalog reads the run id and start from the journal).
        let sortsFirst = older.prefix(17) + "00000000"
        try #require(sortsFirst < older)
        try FileManager.default.moveItem(atPath: dirs[1], toPath: box.state + "/runs/" + sortsFirst)
        let listing = runbook(["runs", "--state-dir", box.state]).stdout
        let lines = listing.split(separator: "\n")
        #expect(lines.count == 2 && lines[0].hasPrefix(older) && lines[1].hasPrefix(newer), "\(listing)")
        let run = runbook(["run", "--state-dir", box.state, file])
        #expect(run.status == 5)
        #expect(run.stderr.contains("has an unfinished run \(newer) "), "\(run.stderr)")
        let olderJournal = try String(contentsOfFile: dirs[0] + "/journal.jsonl", encoding: .utf8)
        let resume = runbook(["resume", "--state-dir", box.state, file])
        #expect(resume.status == 5, "\(resume.stdout)\(resume.stderr)")
        #expect(try String(contentsOfFile: dirs[0] + "/journal.jsonl", encoding: .utf8) == olderJournal)
        let newerJournal = try String(contentsOfFile: box.state + "/runs/" + sortsFirst + "/journal.jsonl", encoding: .utf8)
        #expect(newerJournal.contains("resumed by tester@"), "\(newerJournal)")
    }

    @Test("steps done/total count the runbook the run goes on with: an added step makes 4/4, not 4/3")
    func countsAfterAddedStep() throws {
        let box = Sandbox()
        let text = "# T\n\n```bash {id=a}\ntrue\n```\n\n```bash {id=b}\ntrue\n```\n\n```bash {id=c}\ntrue\n```\n"
        let file = box.write("t.md", text)
        #expect(runbook(["run", "--state-dir", box.state, file], stdin: "r\nq\n").status == 5)
        box.write("t.md", text + "\n```bash {id=d}\ntrue\n```\n")
        let r = runbook(["resume", "--yes", "--accept-changes", "d", "--state-dir", box.state, file])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let listing = runbook(["runs", "--state-dir", box.state]).stdout
        #expect(listing.contains("completed    4/4 steps"), "\(listing)")
        // status numbers the steps of the copy the resume switched to (named in the journal after
        // the run_start's runbook.md): the added step is step 4 of it, not an unnumbered extra.
        let runId = (box.runDirs()[0] as NSString).lastPathComponent
        let json = runbook(["status", "--json", "--state-dir", box.state, runId])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let steps = try #require(object["steps"] as? [[String: Any]])
        #expect(steps.map { $0["key"] as? String } == ["a", "b", "c", "d"])
        #expect(steps.map { $0["number"] as? Int } == [1, 2, 3, 4], "\(json.stdout)")
    }

    @Test("status shows each step's outcome, attempts, decisions with who and when, notes, durations and output")
    func status() throws {
        let box = Sandbox()
        let file = box.write(
            "s.md",
            "# S\n\n```bash {id=build}\necho built\n```\n\n```bash {id=flaky retries=1}\n[ -e \"$FLAG\" ] || { touch \"$FLAG\"; exit 3; }\n```\n\n- [ ] Tell the team {id=announce}\n"
        )
        let env = ["FLAG": box.root + "/flag"]
        let run = runbook(["run", "--state-dir", box.state, file], stdin: "r\nn looked fine\nr\nskip nobody around\n", env: env)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let runId = (box.runDirs()[0] as NSString).lastPathComponent
        let text = runbook(["status", "--state-dir", box.state, runId])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("completed  3/3 steps done"), "\(text.stdout)")
        #expect(text.stdout.contains("ok          build  1 attempt"), "\(text.stdout)")
        #expect(text.stdout.contains("ok          flaky  2 attempts"), "\(text.stdout)")
        #expect(text.stdout.contains("tester@") && text.stdout.contains("note: looked fine"), "\(text.stdout)")
        #expect(text.stdout.contains("skipped     announce") && text.stdout.contains("decided skip: nobody around"), "\(text.stdout)")
        let json = runbook(["status", "--json", "--state-dir", box.state, runId])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let steps = try #require(object["steps"] as? [[String: Any]])
        #expect(steps.map { $0["outcome"] as? String } == ["ok", "ok", "skipped"])
        #expect(steps[1]["attempts"] as? Int == 2 && steps[1]["exit_code"] as? Int == 0)
        #expect((steps[0]["output_bytes"] as? Int) == 6)
        #expect(runbook(["status", "--state-dir", box.state, "no-such-run"]).status == 2)
    }

    @Test("--from and --only choose steps, recorded in the journal; --only runs a step marked skip on purpose")
    func fromAndOnly() throws {
        let box = Sandbox()
        let file = box.write(
            "m.md",
            "# M\n\n```bash {id=a}\necho a >> \"$OUT\"\n```\n\n```bash {id=backfill skip=\"run it deliberately\"}\necho backfill >> \"$OUT\"\n```\n\n```bash {id=c}\necho c >> \"$OUT\"\n```\n"
        )
        let env = ["OUT": box.root + "/out.txt"]
        let only = runbook(["run", "--yes", "--only", "backfill", "--state-dir", box.state, file], env: env)
        #expect(only.status == 0, "\(only.stdout)\(only.stderr)")
        #expect(String(decoding: FileManager.default.contents(atPath: box.root + "/out.txt") ?? Data(), as: UTF8.self) == "backfill\n")
        let records = try box.journal()
        #expect(records.first?.text == "steps selected: --only backfill")
        #expect(records.filter { $0.type == .stepEnd && $0.reason == "not selected: --only backfill" }.map(\.key) == ["a", "c"])
        #expect(records.last?.status == "completed")

        let from = runbook(["run", "--yes", "--new-run", "--from", "c", "--state-dir", box.state, file], env: env)
        #expect(from.status == 0, "\(from.stdout)\(from.stderr)")
        #expect(String(decoding: FileManager.default.contents(atPath: box.root + "/out.txt") ?? Data(), as: UTF8.self) == "backfill\nc\n")
        let bad = runbook(["run", "--yes", "--new-run", "--only", "backfil", "--state-dir", box.state, file], env: env)
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--only backfil: ") && bad.stderr.contains("did you mean 'backfill'?"))
        // The fault is the command line's, not the runbook's or the machine's, and nothing is recorded.
        #expect(bad.stderr.hasSuffix("runbook: error: nothing was run; fix the options above and run again\n"), "\(bad.stderr)")
        #expect(!bad.stderr.contains("fix the runbook or the machine"))
        #expect(box.runDirs().count == 2)
        let confirm = runbook(["run", "--yes", "--new-run", "--confirm", "backfil", "--state-dir", box.state, file], env: env)
        #expect(
            confirm.status == 2 && confirm.stderr.contains("--confirm backfil: ") && confirm.stderr.contains("did you mean 'backfill'?"), "\(confirm.stderr)")
        #expect(box.runDirs().count == 2)
    }

    @Test("run while an unfinished run exists, on a terminal: offers resume / new run / quit; r resumes it")
    func offerResumeOnTerminal() throws {
        let box = Sandbox()
        let file = box.write("t.md", "# T\n\n```bash {id=a}\necho a >> \"$OUT\"\n```\n\n```bash {id=b}\necho b >> \"$OUT\"\n```\n")
        let env = ["OUT": box.root + "/out.txt"]
        #expect(runbook(["run", "--state-dir", box.state, file], stdin: "r\nq\n", env: env).status == 5)
        let session = TerminalSession(["run", "--state-dir", box.state, file], env: env)
        #expect(session.waitFor("[r]esume that run [n]ew run [q]uit"), "\(session.text)")
        #expect(session.text.contains("has an unfinished run"))
        session.send("r")
        #expect(session.waitFor("[r]un [s]kip"))
        session.send("r")
        #expect(session.wait() == 0, "\(session.text)")
        #expect(box.runDirs().count == 1)
        #expect(String(decoding: FileManager.default.contents(atPath: box.root + "/out.txt") ?? Data(), as: UTF8.self) == "a\nb\n")
    }
}
