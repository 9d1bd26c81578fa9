import Foundation
import RunbookKit
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("runbook resume", .tags(.endToEnd))
struct ResumeTests {
    static let threeSteps = """
        # T

        ```bash {id=one}
        export FROM_ONE=hello
        echo one >> "$OUT"
        ```

        ```bash {id=two}
        echo "two sees $FROM_ONE" >> "$OUT"
        ```

        ```bash {id=three}
        echo three >> "$OUT"
        ```
        """

    @Test("a paused run resumes where it stopped: done steps do not run again, exports come back")
    func pausedRunResumes() throws {
        let box = Sandbox()
        let file = box.write("rb.md", Self.threeSteps)
        let env = ["OUT": box.root + "/out.txt"]
        #expect(runbook(["run", "--state-dir", box.state, file], stdin: "r\nq\n", env: env).status == 5)
        let listing = runbook(["runs", "--state-dir", box.state])
        #expect(listing.stdout.contains("paused"))
        let r = runbook(["resume", "--state-dir", box.state, file], stdin: "r\nr\n", env: env)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(String(decoding: FileManager.default.contents(atPath: box.root + "/out.txt") ?? Data(), as: UTF8.self) == "one\ntwo sees hello\nthree\n")
        #expect(r.stdout.contains("step 1/3 [one] ok earlier in this run"))
        let records = try box.journal()
        #expect(box.runDirs().count == 1)
        #expect(records.filter { $0.type == .stepEnd }.map(\.key) == ["one", "two", "three"])
        #expect(records.contains { $0.type == .note && $0.text?.hasPrefix("resumed by tester@") == true })
        #expect(records.last?.type == .runEnd)
        let again = runbook(["resume", "--state-dir", box.state, (box.runDirs()[0] as NSString).lastPathComponent])
        #expect(again.status == 2)
        #expect(again.stderr.contains("already ended"))
    }

    /// `threeSteps` run in `box` until the runner dies right after step one's start is synced:
    /// its outcome unknown. The runbook's path and the environment its steps need.
    private func crashedInStepOne(_ box: Sandbox) -> (file: String, env: [String: String]) {
        let file = box.write("rb.md", Self.threeSteps)
        let env = ["OUT": box.root + "/out.txt"]
        var crash = env
        crash["RUNBOOK_TEST_CRASH_AT"] = "after_step_start_sync"
        #expect(runbook(["run", "--yes", "--state-dir", box.state, file], env: crash).status == 128 + SIGKILL)
        return (file, env)
    }

    @Test("after a crash mid-step the outcome is unknown: --yes exits 5, an answer decides, it is never marked done by itself")
    func unknownOutcome() throws {
        let box = Sandbox()
        let (file, env) = crashedInStepOne(box)
        #expect(runbook(["verify", box.runDirs()[0]]).status == 0)
        let yes = runbook(["resume", "--yes", "--state-dir", box.state, file], env: env)
        #expect(yes.status == 5)
        #expect(yes.stderr.contains("unknown outcome"))
        let r = runbook(["resume", "--state-dir", box.state, file], stdin: "r\nr\nr\nr\n", env: env)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let records = try box.journal()
        #expect(records.contains { $0.type == .decision && $0.choice == "rerun" && $0.key == "one" })
        #expect(records.filter { $0.type == .stepStart && $0.key == "one" }.map(\.attempt) == [1, 2])
    }

    @Test("a step settled at the resume's question (done, or skipped with a reason) is passed over as settled now, not as finished earlier in the run")
    func settledNowSaidSo() throws {
        for (answer, shown) in [("d", "done: confirmed by the operator after an interrupted run"), ("s not needed now", "skipped: not needed now")] {
            let box = Sandbox()
            let (file, env) = crashedInStepOne(box)
            let r = runbook(["resume", "--state-dir", box.state, file], stdin: "\(answer)\nr\nr\nr\n", env: env)
            #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
            let line = r.stdout.components(separatedBy: "\n").first { $0.contains("step 1/3 [one] ") } ?? ""
            #expect(line.contains(shown) && !line.contains("earlier in this run"), "\(answer): \(r.stdout)")
        }
    }

    @Test("a step a resume took for a renamed one that had finished is that outcome in status and every export, not 'not run'")
    func renamedStepKeepsItsOutcome() throws {
        let box = Sandbox()
        let file = box.write("rn.md", "# R\n\n```bash {id=a}\necho A\n```\n\n```bash {id=b}\necho B\n```\n\n```bash {id=c}\necho C\n```\n")
        #expect(runbook(["run", "--state-dir", box.state, file], stdin: "r\nr\nq\n").status == 5)
        box.write("rn.md", "# R\n\n```bash {id=a}\necho A\n```\n\n```bash {id=b2}\necho B\n```\n\n```bash {id=c}\necho C\n```\n")
        let r = runbook(["resume", "--yes", "--accept-changes", "all", "--state-dir", box.state, file])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let runId = try #require(box.runDirs().first.map { ($0 as NSString).lastPathComponent })
        let status = runbook(["status", "--state-dir", box.state, runId])
        let line = status.stdout.components(separatedBy: "\n").first { $0.contains(" b2 ") } ?? ""
        #expect(line.contains("✔ ok"), "\(status.stdout)")
        let json = runbook(["export", "--state-dir", box.state, "--format", "json", runId])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let steps = try #require(object["steps"] as? [[String: Any]])
        #expect(steps.first { $0["key"] as? String == "b2" }?["outcome"] as? String == "ok", "\(steps)")
        let markdown = runbook(["export", "--state-dir", box.state, "--format", "markdown", runId])
        #expect(!markdown.stdout.contains("**not run**"), "\(markdown.stdout)")
    }

    @Test("a mistyped key for --rerun-unknown, --accept-changes or --confirm stops the resume before it records anything")
    func mistypedDecisionKey() throws {
        let box = Sandbox()
        let (file, env) = crashedInStepOne(box)
        let before = try box.journal().count
        for flag in ["--rerun-unknown", "--accept-changes", "--confirm"] {
            let r = runbook(["resume", "--yes", flag, "onee", "--state-dir", box.state, file], env: env)
            #expect(r.status == 2, "\(flag): \(r.stdout)\(r.stderr)")
            #expect(r.stderr.contains("\(flag) onee: ") && r.stderr.contains("nor has the run's journal (did you mean 'one'?)"), "\(r.stderr)")
        }
        #expect(try box.journal().count == before, "nothing was recorded")
        let right = runbook(["resume", "--yes", "--rerun-unknown", "one", "--state-dir", box.state, file], env: env)
        #expect(right.status == 0, "\(right.stdout)\(right.stderr)")
    }

    @Test("a --yes resume that stops for a decision counts the steps that finished earlier, not every step as not reached")
    func refusedResumeSummary() throws {
        let box = Sandbox()
        // Step two kills the runner while it runs: a real crash, its outcome unknown.
        let file = box.write(
            "rb.md", "# T\n\n```bash {id=one}\necho one\n```\n\n```bash {id=two}\nkill -KILL $PPID\n```\n\n```bash {id=three}\necho three\n```\n")
        #expect(runbook(["run", "--yes", "--state-dir", box.state, file]).status == 128 + SIGKILL)
        // Wait for step two's process to be gone: a live one would stop the resume for another reason.
        // (The runner may die before it records the pid: then there is none to wait for.)
        if let pid = try box.journal().first(where: { $0.type == .stepSpawned && $0.key == "two" })?.pid {
            let deadline = Date().addingTimeInterval(10)
            while kill(pid, 0) == 0 && Date() < deadline { usleep(20_000) }
        }
        let yes = runbook(["resume", "--yes", "--state-dir", box.state, file])
        #expect(yes.status == 5, "\(yes.stdout)\(yes.stderr)")
        #expect(yes.stderr.contains("--yes will not guess: nothing ran"))
        #expect(yes.stdout.contains("Run paused (1 ok; 2 not reached: two, three)"), "\(yes.stdout)")
        #expect(!yes.stdout.contains("not reached: one"), "step one finished before the crash: \(yes.stdout)")
    }

    @Test("an idempotent step with an unknown outcome simply runs again")
    func idempotentReruns() throws {
        let box = Sandbox()
        let file = box.write("rb.md", "# T\n\n```bash {id=check idempotent}\necho ran >> \(box.root)/out.txt\n```\n")
        #expect(runbook(["run", "--yes", "--state-dir", box.state, file], env: ["RUNBOOK_TEST_CRASH_AT": "after_step_start_sync"]).status == 128 + SIGKILL)
        let r = runbook(["resume", "--yes", "--state-dir", box.state, file])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(String(decoding: FileManager.default.contents(atPath: box.root + "/out.txt") ?? Data(), as: UTF8.self) == "ran\n")
    }

    @Test("a done step whose code changed is flagged: keep or re-run, recorded as a decision")
    func changedStep() throws {
        let box = Sandbox()
        let file = box.write("rb.md", Self.threeSteps)
        let env = ["OUT": box.root + "/out.txt"]
        #expect(runbook(["run", "--state-dir", box.state, file], stdin: "r\nq\n", env: env).status == 5)
        box.write("rb.md", Self.threeSteps.replacingOccurrences(of: "echo one", with: "echo ONE"))
        let yes = runbook(["resume", "--yes", "--state-dir", box.state, file], env: env)
        #expect(yes.status == 5)
        #expect(yes.stderr.contains("changed since it ran"))
        let r = runbook(["resume", "--state-dir", box.state, file], stdin: "k\nr\nr\n", env: env)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("its code changed since it ran"))
        let records = try box.journal()
        #expect(records.contains { $0.type == .decision && $0.choice == "keep" && $0.key == "one" })
        #expect(records.contains { $0.type == .note && $0.text?.contains("the runbook changed since the run started") == true })
        #expect(String(decoding: FileManager.default.contents(atPath: box.root + "/out.txt") ?? Data(), as: UTF8.self) == "one\ntwo sees hello\nthree\n")
    }

    @Test("a step added above finished steps is new; finished ones still match by key")
    func insertedStep() throws {
        let box = Sandbox()
        let file = box.write("rb.md", Self.threeSteps)
        let env = ["OUT": box.root + "/out.txt"]
        #expect(runbook(["run", "--state-dir", box.state, file], stdin: "r\nr\nq\n", env: env).status == 5)
        box.write("rb.md", Self.threeSteps.replacingOccurrences(of: "# T\n", with: "# T\n\n```bash {id=zero}\necho zero >> \"$OUT\"\n```\n"))
        let r = runbook(["resume", "--state-dir", box.state, file], stdin: "r\nr\n", env: env)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(String(decoding: FileManager.default.contents(atPath: box.root + "/out.txt") ?? Data(), as: UTF8.self) == "one\ntwo sees hello\nzero\nthree\n")
    }

    @Test("a torn last record is cut (kept aside) and recorded; a changed record stops resume with exit 4")
    func tornTailAndTamper() throws {
        let box = Sandbox()
        let file = box.write("rb.md", Self.threeSteps)
        let env = ["OUT": box.root + "/out.txt"]
        #expect(runbook(["run", "--state-dir", box.state, file], stdin: "r\nq\n", env: env).status == 5)
        let journal = box.runDirs()[0] + "/journal.jsonl"
        let handle = try #require(FileHandle(forWritingAtPath: journal))
        handle.seekToEndOfFile()
        handle.write(Data("{\"v\":1,\"seq\":99,\"type\":\"step_st".utf8))
        handle.closeFile()
        let verify = runbook(["verify", journal])
        #expect(verify.status == 0)
        #expect(verify.stdout.contains("torn record"))
        let r = runbook(["resume", "--state-dir", box.state, file], stdin: "r\nr\n", env: env)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let records = try box.journal()
        #expect(records.contains { $0.type == .recovered })
        let backups = try FileManager.default.contentsOfDirectory(atPath: box.runDirs()[0]).filter { $0.hasPrefix("journal.jsonl.torn-") }
        #expect(backups.count == 1)

        let box2 = Sandbox()
        let file2 = box2.write("rb.md", Self.threeSteps)
        #expect(runbook(["run", "--state-dir", box2.state, file2], stdin: "r\nq\n", env: env).status == 5)
        let journal2 = box2.runDirs()[0] + "/journal.jsonl"
        let before = try String(contentsOfFile: journal2, encoding: .utf8)
        try before.replacingOccurrences(of: "\"status\":\"ok\"", with: "\"status\":\"OK\"").write(toFile: journal2, atomically: false, encoding: .utf8)
        let tampered = try String(contentsOfFile: journal2, encoding: .utf8)
        let refused = runbook(["resume", "--state-dir", box2.state, file2], stdin: "r\nr\n", env: env)
        #expect(refused.status == 4)
        #expect(try String(contentsOfFile: journal2, encoding: .utf8) == tampered)
    }

    @Test("a step whose process outlived the runner makes resume refuse with exit 3")
    func stepStillRunning() throws {
        let box = Sandbox()
        let marker = "66.\(getpid())"
        let file = box.write("rb.md", "# T\n\n```bash {id=long}\nsleep \(marker)\n```\n")
        let session = TerminalSession(["run", "--yes", "--state-dir", box.state, file])
        #expect(eventually { !processes(matching: "sleep \(marker)").isEmpty })
        kill(session.pid, SIGKILL)
        _ = session.wait()
        #expect(!processes(matching: "sleep \(marker)").isEmpty)
        let r = runbook(["resume", "--state-dir", box.state, file], stdin: "r\n")
        #expect(r.status == 3)
        #expect(r.stderr.contains("still running"))
        for pid in processes(matching: "sleep \(marker)") { kill(pid, SIGKILL) }
    }
}
