import Foundation
import RunbookKit
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// What the terminal finally shows for `bytes`, rendered by a terminal emulator (Debian's
/// `python3-pyte`) at `cols`×`rows`, resized at each of `resizes` (an offset into `bytes` and the
/// new size) as a terminal window is: one string per row, trailing spaces cut.
func renderedScreen(_ bytes: [UInt8], cols: Int = 120, rows: Int = 40, resizes: [(offset: Int, size: WindowSize)] = []) throws -> [String] {
    let events = resizes.map { "(\($0.offset), \($0.size.cols), \($0.size.rows))" }.joined(separator: ", ")
    let script = """
        import sys, pyte
        screen = pyte.Screen(\(cols), \(rows))
        stream = pyte.ByteStream(screen)
        data = sys.stdin.buffer.read()
        done = 0
        for offset, columns, lines in [\(events)]:
            stream.feed(data[done:offset])
            done = offset
            screen.resize(lines, columns)
        stream.feed(data[done:])
        sys.stdout.write("\\n".join(line.rstrip() for line in screen.display))
        """
    let input = String(decoding: bytes, as: UTF8.self)
    let r = spawnAndWait(["/usr/bin/python3", "-c", script], stdin: input, environment: ["PATH": "/usr/bin:/bin"], cwd: nil, timeout: 30)
    try #require(r.status == 0, "pyte failed (apt-get install -y python3-pyte): \(r.stderr)")
    return r.stdout.components(separatedBy: "\n")
}

/// `text` with every run of spaces and line ends as one space: what a reader sees, however the window wrapped it.
func words(_ text: String) -> String {
    text.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
}

/// The operator's console (issue 9): prompts that protect, and a summary that tells the truth.
@Suite("the operator's console", .tags(.endToEnd))
struct ConsoleTests {
    static let params = """
        ---
        params:
          TAG:
            required: true
            pattern: "v[0-9]+"
          TOKEN:
            secret: true
            required: true
        ---
        # P

        ```bash {id=show}
        echo "tag $TAG" >> "$OUT"
        ```
        """

    @Test("Enter at a key prompt is named on screen, never echoed as a bare carriage return over the line")
    func enterAtKeyPrompt() throws {
        let box = Sandbox()
        let file = box.write("k.md", "# K\n\n```bash {id=a}\necho fine\n```\n")
        let session = TerminalSession(["run", "--state-dir", box.state, file], size: WindowSize(cols: 100, rows: 20))
        #expect(session.waitFor("[r]un [s]kip"))
        session.send("\r")
        #expect(session.waitFor("Enter is not an answer here: press one of the keys in [ ]; ? for help"), "\(session.text)")
        session.send("q")
        #expect(session.wait() == 5)
        let screen = try session.screen()
        #expect(screen.contains { $0.hasPrefix("Enter is not an answer here") }, "\(screen)")
        #expect(!screen.contains { $0.hasPrefix("' is not") }, "\(screen)")
    }

    @Test("param prompts check each value as it is typed and ask again; a wrong --set stops before any prompt")
    func paramPrompts() throws {
        let box = Sandbox()
        let file = box.write("p.md", Self.params)
        let env = ["OUT": box.root + "/out.txt"]
        let session = TerminalSession(["run", "--state-dir", box.state, file], env: env)
        #expect(session.waitFor("(required)"), "\(session.text)")
        // The pattern in words a person reads, not the regular expression.
        #expect(session.waitFor("['v', then one or more digits]"), "\(session.text)")
        #expect(!session.text.contains("[must match"), "\(session.text)")
        session.send("\r")
        #expect(session.waitFor("is required but its value is empty; try again"))
        session.send("1.2\r")
        #expect(session.waitFor("does not match its pattern 'v[0-9]+' ('v', then one or more digits)"), "\(session.text)")
        session.send("v12\r")
        #expect(session.waitFor("TOKEN"))
        session.send("abc\r")
        #expect(session.waitFor("is 3 bytes long; secrets must be at least 8 bytes"))
        session.send("long-enough-secret\r")
        #expect(session.waitFor("[r]un [s]kip"))
        session.send("R")
        #expect(session.wait() == 0, "capital R runs the step: \(session.text)")
        #expect(String(decoding: FileManager.default.contents(atPath: box.root + "/out.txt") ?? Data(), as: UTF8.self) == "tag v12\n")
        let screen = try renderedScreen(session.transcript).joined(separator: "\n")
        #expect(screen.contains("Run completed (1 ok)"), "\(screen)")
        #expect(!screen.contains("long-enough-secret"))

        let bad = runbook(["run", "--state-dir", box.state, "--set", "TAG=oops", file], stdin: "never-read-secret\n", env: env)
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("'oops' does not match its pattern"))
        #expect(!bad.stdout.contains("param TOKEN"), "no prompt after a wrong --set")
    }

    @Test("Ctrl-C at a param prompt cancels the run before anything is recorded (exit 130)")
    func controlCAtPrompt() throws {
        let box = Sandbox()
        let file = box.write("p.md", Self.params)
        let session = TerminalSession(["run", "--state-dir", box.state, file], env: ["OUT": box.root + "/out.txt"])
        #expect(session.waitFor("TAG"))
        session.send("\u{03}")
        #expect(session.wait() == 130, "\(session.text)")
        #expect(session.text.contains("cancelled at the prompt for param 'TAG'; nothing was run or recorded"))
        #expect(box.runDirs().isEmpty)
    }

    @Test("a asks before aborting; n goes back; the summary counts each step once and names the steps not reached")
    func abortAndSummary() throws {
        let box = Sandbox()
        let file = box.write(
            "a.md",
            "# A\n\n```bash {id=flaky retries=2}\n[ -e \"$F\" ] || { touch \"$F\"; exit 1; }\n```\n\n```bash {id=two}\ntrue\n```\n\n```bash {id=three}\ntrue\n```\n\n```bash {id=four}\ntrue\n```\n"
        )
        let session = TerminalSession(["run", "--state-dir", box.state, file], env: ["F": box.root + "/flag"])
        #expect(session.waitFor("[r]un [s]kip"))
        session.send("r")
        #expect(session.waitForCount("[r]un [s]kip", 2))
        session.send("a")
        #expect(session.waitFor("abort the run? It ends here and cannot be resumed"))
        session.send("n")
        #expect(session.waitFor("not aborted"))
        #expect(session.waitForCount("[r]un [s]kip", 3), "asked again at the same step")
        session.send("r")
        #expect(session.waitForCount("[r]un [s]kip", 4))
        session.send("a")
        #expect(session.waitForCount("abort the run?", 2))
        session.send("y")
        #expect(session.wait() == 1)
        let screen = try renderedScreen(session.transcript).joined(separator: "\n")
        #expect(screen.contains("Run aborted (2 ok; 2 not reached: three, four)"), "\(screen)")
        #expect(try box.journal().last?.counts == ["ok": 2], "flaky failed once, then passed: counted once, as ok")
        let report = screen.components(separatedBy: "\n").filter { $0.hasPrefix("  ✔ ") || $0.hasPrefix("  · ") }
        #expect(report.count == 4, "\(screen)")
        #expect(report.first?.contains("flaky") == true && report.first?.contains("2 attempts") == true)
        #expect(report.last?.contains("four") == true && report.last?.contains("not reached") == true)
    }

    @Test("a pause prints the exact resume command; resume without a run lists the unfinished ones")
    func resumeCommand() throws {
        let box = Sandbox()
        let file = box.write("r.md", "# R\n\n```bash {id=a}\ntrue\n```\n\n```bash {id=b}\ntrue\n```\n")
        let r = runbook(["run", "--state-dir", box.state, file], stdin: "r\nq\n")
        #expect(r.status == 5)
        let runId = (box.runDirs()[0] as NSString).lastPathComponent
        #expect(r.stdout.contains("To resume it:\n  runbook resume \(runId) --state-dir \(box.state)\n"), "\(r.stdout)")
        let list = runbook(["resume", "--state-dir", box.state])
        #expect(list.status == 2)
        #expect(list.stderr.contains("runbook resume \(runId) --state-dir \(box.state)    # paused, 1/2 steps"), "\(list.stderr)")
        let resumed = runbook(["resume", runId, "--state-dir", box.state], stdin: "r\n")
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
    }

    @Test("a confirm step asks for its key or yes to be typed; --yes pauses at it unless --confirm names it")
    func confirmStep() throws {
        let box = Sandbox()
        let file = box.write("c.md", "# C\n\n```bash {id=drop-db confirm}\necho dropped >> \"$OUT\"\n```\n")
        let env = ["OUT": box.root + "/out.txt"]
        let session = TerminalSession(["run", "--state-dir", box.state, file], env: env)
        #expect(session.waitFor("[r]un [s]kip"))
        session.send("r")
        #expect(session.waitFor("type its key (drop-db) or yes to run it"))
        session.send("y\r")
        #expect(session.waitFor("not confirmed ('y'); the step did not run"))
        #expect(session.waitForCount("[r]un [s]kip", 2))
        session.send("r")
        #expect(session.waitForCount("type its key (drop-db)", 2))
        session.send("drop-db\r")
        #expect(session.wait() == 0, "\(session.text)")
        #expect(try box.journal().contains { $0.type == .decision && $0.reason == "confirmed by typing 'drop-db'" })

        let yes = runbook(["run", "--yes", "--new-run", "--state-dir", box.state, file], env: env)
        #expect(yes.status == 5)
        #expect(yes.stderr.contains("step 'drop-db' is marked confirm: --yes does not run it by itself. Run with --confirm drop-db"))
        let confirmed = runbook(["resume", "--yes", "--confirm", "drop-db", "--state-dir", box.state, file], env: env)
        #expect(confirmed.status == 0, "\(confirmed.stdout)\(confirmed.stderr)")
        #expect(String(decoding: FileManager.default.contents(atPath: box.root + "/out.txt") ?? Data(), as: UTF8.self) == "dropped\ndropped\n")
        // Two runs of the same runbook may start in the same second: find the resumed one by its record.
        let journals = try box.runDirs().map { try JournalVerifier.verify(path: $0 + "/journal.jsonl").records }
        #expect(journals.contains { $0.contains { $0.type == .decision && $0.reason == "confirmed by --confirm drop-db" } })
    }

    @Test("automatic retries wait, doubling each time (retry-delay=1s: 1s, then 2s)")
    func retryDelay() throws {
        let box = Sandbox()
        let file = box.write("r.md", "# R\n\n```bash {id=dns retries=2 retry-delay=1s}\necho try >> \"$OUT\"; exit 6\n```\n")
        let started = monotonicNow()
        let r = runbook(["run", "--yes", "--state-dir", box.state, file], env: ["OUT": box.root + "/tries"])
        #expect(r.status == 1)
        #expect(monotonicNow() - started >= 3, "waited 1 s and 2 s between the three attempts")
        #expect(r.stdout.contains("retrying in 1s (1 of 2") && r.stdout.contains("retrying in 2s (2 of 2"), "\(r.stdout)")
        #expect(String(decoding: FileManager.default.contents(atPath: box.root + "/tries") ?? Data(), as: UTF8.self) == "try\ntry\ntry\n")
    }

    // MARK: Item 1: prose that stands by itself

    @Test("the shipped runbooks' warnings are on screen: the description in the header, the text under the H1 before the first step")
    func shippedWarningsShown() throws {
        let box = Sandbox()
        let env = [
            "ROLLBACK_TAG": "v41", "DATABASE_URL": "postgres://ro:secret-secret@db/app", "CLOUDFLARE_ACCOUNT_ID": "acc",
            "CLOUDFLARE_API_TOKEN": "cf-token-123456", "RENDER_SERVICE_ID": "srv-1", "RENDER_API_KEY": "render-key-123",
            "KOYEB_TOKEN": "koyeb-token-123",
        ]
        let rollback = TerminalSession(
            ["run", "--state-dir", box.state, RehearsalTests.runbooks + "/rollback.md"], env: env, size: WindowSize(cols: 120, rows: 40))
        #expect(rollback.waitFor("[d]one [s]kip"), "\(rollback.text)")
        let atPrompt = try rollback.screen().joined(separator: "\n")
        rollback.send("q")
        #expect(rollback.wait() == 5)
        #expect(words(atPrompt).contains("Database migrations are not undone. runbook:"), "the description, in the header: \(atPrompt)")
        #expect(atPrompt.contains("It does **not** reverse database migrations"), "\(atPrompt)")
        let intro = try #require(atPrompt.range(of: "It does **not** reverse"))
        let firstStep = try #require(atPrompt.range(of: "── step 1/"))
        #expect(intro.lowerBound < firstStep.lowerBound, "the introduction comes before the first step")

        let checklist = TerminalSession(
            ["run", "--state-dir", box.state, RehearsalTests.runbooks + "/post-deploy-checklist.md"])
        #expect(checklist.waitFor("[r]un [s]kip"), "\(checklist.text)")
        checklist.send("q")
        #expect(checklist.wait() == 5)
        // No window size: the whole transcript is rendered on one tall screen.
        let all = try renderedScreen(checklist.transcript, cols: 120, rows: 400).joined(separator: "\n")
        #expect(all.contains("If a check fails and the cause is the release, roll back\nfirst and investigate afterwards."), "\(all)")
    }

    @Test("prose after a section's last step is shown at the end of that section, before the next step; prose at the end, after the last step")
    func sectionEndShown() throws {
        let box = Sandbox()
        let file = box.write(
            "s.md",
            "# S\n\n## One\n\n```bash {id=a}\necho step-a\n```\n\nIf a check fails, roll back first.\n\n## Two\n\n```bash {id=b}\necho step-b\n```\n\nClean up afterwards.\n"
        )
        // No window size: the whole transcript is rendered on one tall screen.
        let session = TerminalSession(["run", "--yes", "--state-dir", box.state, file])
        #expect(session.wait() == 0, "\(session.text)")
        let screen = try renderedScreen(session.transcript, cols: 100, rows: 300).joined(separator: "\n")
        let order = [
            "step-a", "── One (end of section)  line 9", "If a check fails, roll back first.", "── step 2/2", "step-b", "Clean up afterwards.", "Run completed",
        ]
        let positions = order.map { screen.range(of: $0)?.lowerBound }
        #expect(!positions.contains(nil), "\(screen)")
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted(), "in this order: \(order) in \(screen)")
    }

    // MARK: Item 2: window resizes while a step runs

    /// The screen while the `slow` step runs: the status line alone on the last row, and every
    /// output line the runner wrote so far that is on screen once, intact, in order, up to the last.
    private func expectSane(_ session: TerminalSession, _ size: WindowSize, _ label: String) throws {
        let rows = try session.screen()
        #expect(rows.count == size.rows, "\(label): \(rows.count) rows")
        #expect(rows.last?.hasPrefix("step 1 of 1 · slow · ") == true, "\(label): status line on the last row: \(rows.joined(separator: "\n"))")
        #expect(!rows.dropLast().contains { $0.contains("· slow ·") }, "\(label): no status fragments elsewhere: \(rows.joined(separator: "\n"))")
        let output = rows.filter { $0.contains("slow line") && !$0.contains("echo") }
        let numbers = output.compactMap { row in row.hasPrefix("slow line ") ? Int(row.dropFirst("slow line ".count)) : nil }
        #expect(numbers.count == output.count, "\(label): every output line intact: \(rows.joined(separator: "\n"))")
        let first = try #require(numbers.first, "\(label): output on screen")
        #expect(numbers == Array(first..<(first + numbers.count)), "\(label): each line once, none blanked: \(rows.joined(separator: "\n"))")
        let written = session.count("slow line ") - session.count("echo \"slow line")
        #expect(numbers.last == written, "\(label): up to the last line written (\(written))")
    }

    @Test("resizing the window while a step prints keeps every output line once and intact, and the status line on the last row")
    func resizeMidStep() throws {
        let box = Sandbox()
        let file = box.write("w.md", "# W\n\n```bash {id=slow}\nfor i in $(seq 1 60); do echo \"slow line $i\"; sleep 0.1; done\n```\n")
        let session = TerminalSession(["run", "--yes", "--state-dir", box.state, file], size: WindowSize(cols: 100, rows: 20))
        #expect(session.waitFor("slow line 8\r\n"))
        try expectSane(session, WindowSize(cols: 100, rows: 20), "100x20")
        for (size, after) in [
            (WindowSize(cols: 120, rows: 40), 20), (WindowSize(cols: 80, rows: 24), 32), (WindowSize(cols: 60, rows: 10), 42),
            (WindowSize(cols: 100, rows: 20), 52),
        ] {
            session.resize(size)
            #expect(session.waitFor("slow line \(after)\r\n"))
            try expectSane(session, size, "\(size.cols)x\(size.rows)")
        }
        #expect(session.wait() == 0, "\(session.text)")
        let end = try session.screen()
        #expect(end.contains { $0.hasPrefix("Run completed (1 ok)") }, "\(end.joined(separator: "\n"))")
        #expect(!end.contains { $0.contains("· slow ·") }, "the status line is gone at the end: \(end.joined(separator: "\n"))")
    }
}

/// Item 16: progress without a status line.
@Suite("progress as plain lines", .tags(.endToEnd, .slow))
struct PlainProgressTests {
    @Test("NO_COLOR on a terminal, or no terminal: a long step's elapsed time comes as plain lines between its output lines, never inside one")
    func plainProgress() throws {
        let box = Sandbox()
        let lines = box.write("l.md", "# L\n\n```bash {id=slow}\necho begin; sleep 6; echo end\n```\n")
        let half = box.write("h.md", "# H\n\n```bash {id=half}\nprintf half; sleep 6; echo ' done'; sleep 1.5\n```\n")
        let terminal = TerminalSession(["run", "--yes", "--state-dir", box.state + "-t", half], env: ["NO_COLOR": "1"], size: WindowSize(cols: 100, rows: 20))
        let piped = runbook(["run", "--yes", "--state-dir", box.state, lines])
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(piped.stdout.contains("begin\n· step 1 of 1 · slow · 5s\nend\n"), "\(piped.stdout)")
        #expect(terminal.wait() == 0)
        #expect(!terminal.text.contains("\u{1B}["), "no escape sequences under NO_COLOR")
        let screen = try terminal.screen()
        #expect(screen.contains("half done"), "the step's line stays whole: \(screen.joined(separator: "\n"))")
        let whole = try #require(screen.firstIndex(of: "half done"))
        let progress = screen.firstIndex { $0.hasPrefix("· step 1 of 1 · half · ") }
        #expect(progress.map { $0 > whole } == true, "the elapsed time, once the line ended: \(screen.joined(separator: "\n"))")
    }
}

/// Item 9: Ctrl-C that stops a step never quits the run without asking.
@Suite("Ctrl-C escalation", .tags(.endToEnd))
struct ControlCEscalationTests {
    @Test("each Ctrl-C says what it sent and what the next will send; after the step stopped, Ctrl-C at the prompt asks before pausing")
    func escalation() throws {
        let box = Sandbox()
        // One process that ignores INT and dies of TERM, and that says it is ready itself: when the
        // shell said so and then exec'd a sleep, a TERM that reached the shell under load between
        // the two was lost (the sleep ran its 30 s; once in a full CI run).
        let program = "import signal, time; signal.signal(signal.SIGINT, signal.SIG_IGN); print(6 * 7, 'ready', flush=True); time.sleep(30)"
        let file = box.write("c.md", "# C\n\n```bash {id=stubborn}\ntrap '' INT; exec python3 -c \"\(program)\"\n```\n")
        let session = TerminalSession(["run", "--state-dir", box.state, file], size: WindowSize(cols: 100, rows: 30))
        #expect(session.waitFor("[r]un [s]kip"))
        session.send("r")
        #expect(session.waitFor("42 ready"))
        session.send("\u{03}")
        #expect(session.waitFor("Ctrl-C: sent INT to the step; Ctrl-C again sends TERM"), "\(session.text)")
        session.send("\u{03}")
        #expect(session.waitFor("Ctrl-C: sent TERM to the step; Ctrl-C again sends KILL"), "\(session.text)")
        #expect(session.waitFor("step failed: [r]etry"), "\(session.text)")
        #expect(session.waitFor("the step was stopped by Ctrl-C; here Ctrl-C asks before it pauses the run"))
        session.send("\u{03}")
        #expect(session.waitFor("pause the run? It stays resumable"), "\(session.text)")
        #expect(session.wait(timeout: 1) == nil, "still running: the run was not quit without asking")
        session.send("n")
        #expect(session.waitForCount("step failed: [r]etry", 2), "back at the question: \(session.text)")
        session.send("q")
        #expect(session.wait() == 5)
        let screen = try session.screen().joined(separator: "\n")
        #expect(screen.contains("✘ interrupted (killed by SIGTERM"), "\(screen)")
        let pauses = try box.journal().filter { $0.type == .decision && $0.choice == "pause" }
        #expect(pauses.map(\.reason) == ["quit"], "the only pause is the one asked for")
    }
}

/// Item 11: a bash step's failure names the line and command `set -e` stopped at.
@Suite("where a bash step failed", .tags(.endToEnd))
struct FailingLineTests {
    @Test("the failure line and the end report name the runbook line and the command that failed under set -e; the output is unchanged")
    func failingLine() throws {
        let box = Sandbox()
        let code = "echo one\ncheck() {\n  grep -q needle \"$HAY\"\n}\necho two\ncheck\necho never\n"
        let file = box.write("f.md", "# F\n\nSome prose.\n\n```bash {id=find}\n\(code)```\n")
        box.write("hay.txt", "no such thing\n")
        let session = TerminalSession(["run", "--state-dir", box.state, file], env: ["HAY": box.root + "/hay.txt"], size: WindowSize(cols: 120, rows: 40))
        #expect(session.waitFor("[r]un [s]kip"))
        session.send("r")
        #expect(session.waitFor("step failed: [r]etry"), "\(session.text)")
        session.send("q")
        #expect(session.wait() == 5)
        let screen = try session.screen().joined(separator: "\n")
        let expected = "f.md:8 (line 3 of the step) failed under set -e: grep -q needle \"$HAY\""
        #expect(screen.contains("✘ failed (exit 1, "), "\(screen)")
        #expect(screen.contains(expected), "on the failure line: \(screen)")
        let rows = screen.components(separatedBy: "\n")
        let report = try #require(rows.firstIndex { $0.hasPrefix("  ✘ find") }, "\(screen)")
        #expect(rows[report].contains("exit 1"), "in the end report: \(rows[report])")
        #expect(rows[report + 1].hasPrefix("      ") && rows[report + 1].hasSuffix(expected), "under it: \(rows[report + 1])")
        let records = try box.journal()
        let end = try #require(records.first { $0.type == .stepEnd })
        #expect(end.error?.hasSuffix(expected) == true, "recorded: \(end.error ?? "nil")")
        let dir = try #require(box.runDirs().last)
        let output = try String(contentsOfFile: dir + "/" + (end.output?.file ?? ""), encoding: .utf8)
        #expect(output == "one\ntwo\n", "the step's output is exactly its own")

        let exit3 = box.write("e.md", "# E\n\n```bash {id=three}\nset +e\nfalse\nexit 3\n```\n")
        let r = runbook(["run", "--yes", "--state-dir", box.state + "-e", exit3])
        #expect(r.status == 1)
        #expect(!r.stdout.contains("failed under set -e"), "a step that ends by exit 3 was not stopped by set -e: \(r.stdout)")
    }
}

/// Item 13: the operator's shell says it is inside a run.
@Suite("the h shell", .tags(.endToEnd))
struct OperatorShellTests {
    @Test("the h shell's prompt names the run and the step and says how to go back, over the operator's own prompt")
    func shellPrompt() throws {
        let box = Sandbox()
        box.write("home/.bashrc", "PS1='custom$ '\n")
        let file = box.write("h.md", "# H\n\n```bash {id=broken}\nfalse\n```\n")
        let env = ["SHELL": "/bin/bash", "HOME": box.root + "/home"]
        let session = TerminalSession(["run", "--state-dir", box.state, file], env: env, size: WindowSize(cols: 120, rows: 40))
        #expect(session.waitFor("[r]un [s]kip"))
        session.send("r")
        #expect(session.waitFor("step failed: [r]etry"))
        session.send("h")
        let runId = try #require(box.runDirs().last.map { ($0 as NSString).lastPathComponent })
        #expect(session.waitFor("custom$ "), "\(session.text)")
        session.send("echo \"in $RUNBOOK_STEP_KEY\"\r")
        #expect(session.waitFor("in broken"))
        let inside = try session.screen().joined(separator: "\n")
        #expect(
            inside.contains(
                "opening /bin/bash for step 'broken' of run \(runId)\nwith the run's environment; type exit (or Ctrl-D) to go back to its question"),
            "\(inside)")
        let shortId = try #require(runId.split(separator: "-").last)
        #expect(inside.contains("[run \(shortId) · step broken · exit to return] custom$ "), "\(inside)")
        session.send("exit\r")
        #expect(session.waitFor("back in run \(runId), step 'broken'"), "\(session.text)")
        #expect(session.waitForCount("step failed: [r]etry", 2))
        session.send("q")
        #expect(session.wait() == 5)
    }
}

/// Item 10: code longer than the window is folded, the heading, prose and prompt stay in view.
@Suite("long code folded", .tags(.endToEnd))
struct FoldedCodeTests {
    static let long =
        "# L\n\n## Check everything\n\nRead this before you run it.\n\n```bash {id=long}\n" + (1...60).map { "echo line-\($0)" }.joined(separator: "\n")
        + "\n```\n"

    @Test(
        "a step whose code is taller than the window shows heading and prose first, folds the code to fit, keeps the prompt in view, and v pages through all of it"
    )
    func folded() throws {
        let box = Sandbox()
        let file = box.write("l.md", Self.long)
        let size = WindowSize(cols: 100, rows: 24)
        let session = TerminalSession(["run", "--state-dir", box.state, file], env: ["PAGER": "no-such-pager"], size: size)
        #expect(session.waitFor("[r]un [s]kip"))
        let rows = try session.screen()
        let screen = rows.joined(separator: "\n")
        #expect(screen.contains("── step 1/1: Check everything"), "the heading in view: \(screen)")
        #expect(screen.contains("Read this before you run it."), "the prose in view: \(screen)")
        #expect(screen.contains("echo line-1\n"), "the code's start: \(screen)")
        #expect(!screen.contains("echo line-60"), "folded: \(screen)")
        let notice = try #require(rows.first { $0.contains("more lines of code not shown") }, "the fold is said: \(screen)")
        #expect(notice.contains("press v to read all 60"), "\(notice)")
        #expect(rows.last { !$0.isEmpty }?.hasPrefix("[r]un [s]kip [e]dit [v]iew") == true, "the prompt in view: \(screen)")
        session.send("v")
        #expect(session.waitFor("pager 'no-such-pager' not found; the code page by page here"), "\(session.text)")
        #expect(session.waitFor("-- more: 22 of 60 lines"), "a window's height at a time: \(session.text)")
        session.send(" ")
        #expect(session.waitFor("-- more: 44 of 60 lines"))
        session.send(" ")
        #expect(session.waitFor("echo line-60"), "paged through to the end: \(session.text)")
        #expect(session.waitForCount("[r]un [s]kip", 2), "back at the question")
        session.send("q")
        #expect(session.wait() == 5)

        let piped = runbook(["run", "--yes", "--state-dir", box.state + "-p", file])
        #expect(piped.stdout.contains("echo line-60") && !piped.stdout.contains("not shown"), "no terminal: nothing folded")
    }
}

/// Item 17: small things on screen.
@Suite("small things on screen", .tags(.endToEnd))
struct SmallThingsTests {
    @Test("s and d print a result line, states read as words, a skipped step resumes as skipped with its reason, an empty secret shows as (empty)")
    func resultLines() throws {
        let box = Sandbox()
        let file = box.write(
            "t.md",
            "---\nparams:\n  TOKEN:\n    secret: true\n---\n# T\n\n```bash {id=a}\ntrue\n```\n\n- [ ] do it {id=m}\n\n```bash {id=slow timeout=1s}\nsleep 5\n```\n"
        )
        let session = TerminalSession(["run", "--state-dir", box.state, file], env: ["TOKEN": ""], size: WindowSize(cols: 100, rows: 40))
        #expect(session.waitFor("[r]un [s]kip"))
        session.send("s")
        #expect(session.waitFor("reason for skipping: "))
        session.send("not needed\r")
        #expect(session.waitFor("↷ skipped: not needed"))
        #expect(session.waitFor("[d]one [s]kip"))
        session.send("d")
        #expect(session.waitFor("✔ done"))
        #expect(session.waitForCount("[r]un [s]kip", 2))
        session.send("r")
        #expect(session.waitFor("step failed: [r]etry"))
        session.send("q")
        #expect(session.wait() == 5)
        let screen = try session.screen().joined(separator: "\n")
        #expect(screen.contains("params: TOKEN=(empty)"), "\(screen)")
        #expect(screen.contains("✘ timed out (killed by SIGTERM, 1s)") && !screen.contains("timed_out"), "\(screen)")
        #expect(screen.contains("  ↷ a     skipped     not needed"), "the report gives the reason: \(screen)")

        let resumed = runbook(["resume", "--state-dir", box.state], stdin: "q\n", env: ["TOKEN": ""])
        let runId = try #require(box.runDirs().last.map { ($0 as NSString).lastPathComponent })
        let again = runbook(["resume", runId, "--state-dir", box.state], stdin: "q\n", env: ["TOKEN": ""])
        #expect(resumed.status == 2 && again.stdout.contains("↷ step 1/3 [a] skipped earlier in this run"), "\(again.stdout)\(again.stderr)")
        #expect(again.stdout.contains("  ↷ a     skipped     earlier in this run"), "\(again.stdout)")
    }
}

/// Item 18: an interactive step's record keeps its raw bytes; exports show what the terminal finally showed.
@Suite("interactive output, readable", .tags(.endToEnd))
struct InteractiveRenderingTests {
    @Test("the record of an interactive step keeps carriage returns and escapes; markdown, JSON and HTML exports show the final text")
    func rendered() throws {
        let box = Sandbox()
        let file = box.write(
            "i.md", "# I\n\n```bash {id=bar interactive}\nprintf 'progress 10%%\\rprogress 100%%\\r\\033[Kdone\\n\\033[32mgreen\\033[0m\\n'\n```\n")
        let session = TerminalSession(["run", "--yes", "--state-dir", box.state, file], size: WindowSize(cols: 100, rows: 30))
        #expect(session.wait() == 0, "\(session.text)")
        let dir = try #require(box.runDirs().last)
        let end = try #require(try box.journal().first { $0.type == .stepEnd })
        let raw = try #require(FileManager.default.contents(atPath: dir + "/" + (end.output?.file ?? "")))
        #expect(String(decoding: raw, as: UTF8.self).contains("progress 10%\rprogress 100%\r\u{1B}[Kdone"), "the raw bytes are kept")
        let markdown = runbook(["export", dir, "--format", "markdown"])
        #expect(markdown.status == 0, "\(markdown.stderr)")
        #expect(
            markdown.stdout.contains("as the terminal finally showed it (the record keeps every byte):\n\n    ```text\n    done\n    green\n    ```"),
            "\(markdown.stdout)")
        let json = runbook(["export", dir, "--format", "json"])
        #expect(json.stdout.contains("\"rendered\" : \"done\\ngreen\"") || json.stdout.contains("\"rendered\": \"done\\ngreen\""), "\(json.stdout)")
        #expect(json.stdout.contains("\"interactive\" : true") || json.stdout.contains("\"interactive\": true"), "\(json.stdout)")
        let html = runbook(["export", dir, "--format", "html"])
        #expect(html.stdout.contains("as the terminal finally showed it (the record keeps every byte)</p><pre>done\ngreen</pre>"), "\(html.stdout)")
    }
}

/// The pause screen at 80x24: the resume command on lines of its own, never cut mid-word.
@Suite("the pause screen in a narrow window", .tags(.endToEnd))
struct NarrowPauseTests {
    @Test("at 80 columns the resume command is on its own lines, broken before --state-dir with a backslash")
    func narrowResume() throws {
        let box = Sandbox()
        let file = box.write("r.md", "# R\n\n```bash {id=a}\ntrue\n```\n\n```bash {id=b}\ntrue\n```\n")
        let session = TerminalSession(["run", "--state-dir", box.state, file], size: WindowSize(cols: 80, rows: 24))
        #expect(session.waitFor("[r]un [s]kip"))
        session.send("r")
        #expect(session.waitForCount("[r]un [s]kip", 2))
        session.send("q")
        #expect(session.wait() == 5)
        let runId = try #require(box.runDirs().last.map { ($0 as NSString).lastPathComponent })
        let rows = try session.screen()
        let first = try #require(rows.firstIndex(of: "  runbook resume \(runId) \\"), "\(rows.joined(separator: "\n"))")
        #expect(rows[first + 1] == "    --state-dir \(box.state)", "\(rows.joined(separator: "\n"))")
        #expect(rows.allSatisfy { $0.count <= 80 })
    }
}
