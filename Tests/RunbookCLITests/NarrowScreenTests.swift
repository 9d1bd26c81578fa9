import Foundation
import RunbookKit
import Testing

/// What an operator sees of a long run's resume in an 80x24 window: the step list folded so the
/// header and the decision stay in view, and sentences broken between words, never inside one.
@Suite("a long run's resume in a narrow window", .tags(.endToEnd))
struct NarrowScreenTests {
    static let width = 80

    /// 40 steps; step s-30 kills the runner the first time it runs (a real crash mid-step).
    static func fortySteps(marker: String) -> String {
        "# Forty\n\n"
            + (0..<40).map { k in
                let crash = k == 30 ? "if [ ! -e \(marker) ]; then touch \(marker); kill -KILL $PPID; fi\n" : ""
                return "## Step \(k)\n\n```bash {id=s-\(k)}\n\(crash)echo \"step \(k)\"\n```\n"
            }.joined(separator: "\n")
    }

    @Test(
        "at 80x24 the resume list folds the 30 finished and 9 waiting steps, the unknown step's explanation breaks between words, and the run passes the finished ones in one line"
    )
    func foldedAndWrapped() throws {
        let box = Sandbox()
        let file = box.write("forty.md", Self.fortySteps(marker: box.root + "/crashed"))
        #expect(runbook(["run", "--yes", "--state-dir", box.state, file]).status == 128 + SIGKILL)
        if let pid = try box.journal().first(where: { $0.type == .stepSpawned && $0.key == "s-30" })?.pid {
            let deadline = Date().addingTimeInterval(10)
            while kill(pid, 0) == 0 && Date() < deadline { usleep(20_000) }
        }
        let runId = try #require(box.runDirs().last.map { ($0 as NSString).lastPathComponent })
        let session = TerminalSession(["resume", "--state-dir", box.state, file], size: WindowSize(cols: Self.width, rows: 24))
        #expect(session.waitFor("outcome unknown: [r]e-run"), "\(session.text)")
        var rows = try session.screen()
        var screen = rows.joined(separator: "\n")
        // The folded list keeps the header and the decision on one screen.
        #expect(rows.contains { $0.hasPrefix("Resuming run \(runId)") }, "the header in view:\n\(screen)")
        #expect(rows.contains("  finished  s-0 … s-29  30 steps, ok"), "\(screen)")
        #expect(rows.contains("  unknown   s-30  started, outcome never recorded"), "\(screen)")
        #expect(rows.contains("  to run    s-31 … s-39  9 steps"), "\(screen)")
        #expect(screen.contains("(39 steps shown in stretches of 4 or more alike; runbook status"), "the fold is said:\n\(screen)")
        // The explanation, as the window shows it: whole words on every row, the sentence intact.
        let sentence = "step 31 [s-30] was started but its outcome was never recorded (the runner stopped while it ran)"
        let first = try #require(rows.firstIndex { $0.hasPrefix("step 31 [s-30] was started") }, "\(screen)")
        let end = try #require(rows[first...].firstIndex { $0.hasPrefix("started ") }, "\(screen)")
        let paragraph = Array(rows[first..<end])
        #expect(paragraph.count >= 2, "too short to need breaking at \(Self.width) columns?\n\(screen)")
        #expect(paragraph.joined(separator: " ") == sentence, "\(paragraph)")
        expectBrokenBetweenWords(paragraph, screen)
        // The question, 81 characters, breaks between words too; the cursor waits after its last word.
        let question = try #require(rows.firstIndex { $0.hasPrefix("outcome unknown: [r]e-run") }, "\(screen)")
        let asked = Array(rows[question...].prefix { !$0.isEmpty })
        #expect(asked.count == 2 && asked[1] == "  [?]", "\(screen)")
        expectBrokenBetweenWords(asked, screen)
        session.send("r")
        #expect(session.waitFor("[r]un [s]kip"), "\(session.text)")
        rows = try session.screen()
        screen = rows.joined(separator: "\n")
        #expect(rows.contains("✔ steps 1–30/40 [s-0 … s-29] ok earlier in this run (30 steps)"), "\(screen)")
        #expect(!screen.contains("[s-12] ok earlier"), "one line, not one a step:\n\(screen)")
        #expect(rows.contains { $0.hasPrefix("── step 31/40: Step 30") }, "the step in view:\n\(screen)")
        session.send("q")
        #expect(session.wait() == 5)
        // Piped, the list folds the same way (s-30's outcome is still unknown: the operator paused before it ran).
        let piped = runbook(["resume", "--yes", "--state-dir", box.state, file])
        #expect(piped.status == 5, "\(piped.stdout)\(piped.stderr)")
        #expect(piped.stdout.contains("  finished  s-0 … s-29  30 steps, ok\n  unknown   s-30"), "\(piped.stdout)")
        // Its report folds the same stretches: finished before this process, and not reached; the
        // key column is as wide as the widest folded range, so the outcomes stand in one column.
        #expect(piped.stdout.contains("  ✔ s-0 … s-29   ok          30 steps\n"), "\(piped.stdout)")
        #expect(piped.stdout.contains("  · s-30 … s-39  not reached (10 steps)\n"), "\(piped.stdout)")
    }

    @Test("at 80 columns an error on the terminal breaks between words, its later lines indented, the command it suggests whole on one line")
    func narrowError() throws {
        let box = Sandbox()
        let file = box.write("forty.md", Self.fortySteps(marker: box.root + "/crashed"))
        // The runs found through the environment: the command to paste needs no --state-dir.
        let session = TerminalSession(["resume", file], env: ["RUNBOOK_STATE_DIR": box.state], size: WindowSize(cols: Self.width, rows: 24))
        #expect(session.wait() == 2)
        let rows = try session.screen().filter { !$0.isEmpty }
        let screen = rows.joined(separator: "\n")
        let message = "runbook: error: no unfinished run of \(file) under \(box.state)/runs; start one with 'runbook run \(file)'"
        #expect(rows.count >= 2, "\(screen)")
        #expect(rows.first?.hasPrefix("runbook: error: no unfinished run") == true, "\(screen)")
        #expect(rows.dropFirst().allSatisfy { $0.hasPrefix("  ") && !$0.hasPrefix("   ") }, "later lines indented two spaces:\n\(screen)")
        #expect(rows.sentence == message, "\(screen)")
        #expect(rows.contains { $0.contains("'runbook run \(file)'") }, "the command whole on one line:\n\(screen)")
        #expect(rows.allSatisfy { $0.count < Self.width }, "\(screen)")
    }

    @Test("at 80 columns the end of a run breaks its list of steps not reached between keys, later lines indented; piped it is one line")
    func narrowSummary() throws {
        let box = Sandbox()
        let keys = (0..<12).map { "deploy-step-number-\($0)" }
        let file = box.write(
            "long.md",
            "# Long\n\n" + keys.enumerated().map { "```bash {id=\($1)}\n\($0 == 1 ? "exit 3" : "echo ok")\n```\n" }.joined(separator: "\n"))
        let session = TerminalSession(["run", "--yes", "--state-dir", box.state + "-t", file], size: WindowSize(cols: Self.width, rows: 24))
        #expect(session.wait() != 0)
        let rows = try session.screen()
        let screen = rows.joined(separator: "\n")
        // A folded range too wide for the key column (at most 32) stands out of it; the column stays
        // as wide as the keys.
        #expect(rows.contains { $0.hasPrefix("  ✘ deploy-step-number-1  failed      1 attempt") }, "\(screen)")
        #expect(rows.contains("  · deploy-step-number-2 … deploy-step-number-11  not reached (10 steps)"), "\(screen)")
        let headline = try #require(rows.firstIndex { $0.hasPrefix("Run aborted (") }, "\(screen)")
        let end = try #require(rows[headline...].firstIndex { $0.hasPrefix("journal: ") }, "\(screen)")
        let summary = Array(rows[headline..<end])
        let listed = keys.dropFirst(2).prefix(8).joined(separator: ", ")
        let sentence = "Run aborted (1 failed, 1 ok; 10 not reached: \(listed), … (2 more))"
        #expect(summary.count >= 2, "too short to need breaking at \(Self.width) columns?\n\(screen)")
        #expect(summary.dropFirst().allSatisfy { $0.hasPrefix("  ") && !$0.hasPrefix("   ") }, "later lines indented two spaces:\n\(screen)")
        #expect(summary.sentence == sentence, "\(summary)")
        expectBrokenBetweenWords(summary, screen)
        let piped = runbook(["run", "--yes", "--state-dir", box.state, file])
        #expect(piped.stdout.contains("\n\n" + sentence + "\njournal: "), "\(piped.stdout)")
    }

    @Test("at 80 columns a refused secret's notice at its prompt breaks between words")
    func narrowSecretNotice() throws {
        let box = Sandbox()
        let file = box.write("s.md", "---\nparams:\n  API_TOKEN:\n    secret: true\n---\n# S\n\n```bash {id=a}\necho \"$API_TOKEN\" >/dev/null\n```\n")
        let session = TerminalSession(["run", "--state-dir", box.state, file], size: WindowSize(cols: Self.width, rows: 24))
        #expect(session.waitFor("API_TOKEN"), "\(session.text)")
        session.send("abc\r")
        #expect(session.waitFor("try again"), "\(session.text)")
        let rows = try session.screen()
        let screen = rows.joined(separator: "\n")
        let first = try #require(rows.firstIndex { $0.contains("is 3 bytes long") }, "\(screen)")
        let last = try #require(rows[first...].firstIndex { $0.contains("cancels the run)") }, "\(screen)")
        let notice = Array(rows[first...last])
        #expect(notice.count >= 2, "too short to need breaking at \(Self.width) columns?\n\(screen)")
        #expect(
            notice.sentence.contains("secrets must be at least 8 bytes so masking"), "\(screen)")
        expectBrokenBetweenWords(notice, screen)
        session.send("\u{03}")
        _ = session.wait()
    }

    @Test("at 80 columns a step's heading and a manual step's text break between words, later lines indented")
    func narrowHeadings() throws {
        let box = Sandbox()
        let title = "Drain the traffic from the primary database replica before switching the release pointer back"
        let task = "Tell the incident channel that the rollback of the payments service has started, with the ticket"
        let file = box.write("h.md", "# H\n\n## \(title)\n\n```bash {id=drain}\necho drained\n```\n\n- [ ] \(task) {id=tell}\n")
        let session = TerminalSession(["run", "--state-dir", box.state, file], size: WindowSize(cols: Self.width, rows: 30))
        #expect(session.waitFor("[r]un [s]kip"), "\(session.text)")
        session.send("r")
        #expect(session.waitFor("[d]one [s]kip"), "\(session.text)")
        let rows = try session.screen()
        let screen = rows.joined(separator: "\n")
        let first = try #require(rows.firstIndex { $0.hasPrefix("── step 1/2: Drain") }, "\(screen)")
        let heading = Array(rows[first...].prefix { !$0.hasPrefix("```") })
        #expect(heading.count >= 2 && heading.dropFirst().allSatisfy { $0.hasPrefix("   ") }, "\(screen)")
        #expect(heading.sentence == "── step 1/2: \(title)  [drain] line 5", "\(screen)")
        expectBrokenBetweenWords(heading, screen)
        let box2 = try #require(rows.firstIndex { $0.hasPrefix("☐ Tell") }, "\(screen)")
        let text = Array(rows[box2...].prefix { !$0.hasPrefix("[d]one") })
        #expect(text.count >= 2 && text.dropFirst().allSatisfy { $0.hasPrefix("  ") }, "\(screen)")
        #expect(text.sentence == "☐ \(task)", "\(screen)")
        expectBrokenBetweenWords(text, screen)
        session.send("q")
        _ = session.wait()
    }

    /// Each row but the last is as full as its words allow: the next row's first word would not
    /// have fitted after it, so the break is the window's width, not a cut inside a word.
    func expectBrokenBetweenWords(_ rows: [String], _ screen: String) {
        for (row, next) in zip(rows, rows.dropFirst()) {
            let word = next.split(separator: " ").first.map(String.init) ?? ""
            #expect(row.count + 1 + word.count > Self.width - 1, "'\(row)' had room for '\(word)':\n\(screen)")
            #expect(row.count < Self.width, "a row as wide as the window was cut by the terminal: '\(row)'")
        }
    }
}

extension Array where Element == String {
    /// Rows of the screen read back as the one sentence they were broken from.
    fileprivate var sentence: String { map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ") }
}
