import Foundation
import RunbookKit
import Testing

/// Resume must never run the wrong thing (issue 7, items 1–7 and 9).
@Suite("runbook resume never runs the wrong thing", .tags(.endToEnd))
struct ResumeTrustTests {
    static let abc = """
        # Deploy

        ```bash {id=a}
        echo a >> "$OUT"
        ```

        ```bash {id=b}
        echo b >> "$OUT"
        ```

        ```bash {id=c}
        echo c >> "$OUT"
        ```
        """

    private func out(_ box: Sandbox) -> String {
        String(decoding: FileManager.default.contents(atPath: box.root + "/out.txt") ?? Data(), as: UTF8.self)
    }

    @Test("a different runbook at the same path: resume stops with exit 5; --accept-changes all goes on; --new-run starts afresh")
    func differentRunbook() throws {
        let box = Sandbox()
        let file = box.write("deploy.md", Self.abc)
        let env = ["OUT": box.root + "/out.txt"]
        #expect(runbook(["run", "--state-dir", box.state, file], stdin: "r\nr\nq\n", env: env).status == 5)
        box.write("deploy.md", "# Other\n\n```bash {id=x}\necho x >> \"$OUT\"\n```\n\n```bash {id=y}\necho y >> \"$OUT\"\n```\n")
        let r = runbook(["resume", "--yes", "--state-dir", box.state, file], env: env)
        #expect(r.status == 5, "\(r.stdout)\(r.stderr)")
        #expect(r.stderr.contains("is not the runbook this run started with"))
        #expect(out(box) == "a\nb\n", "nothing of the other runbook ran")
        let records = try box.journal()
        #expect(!records.contains { $0.type == .runEnd })

        box.write("deploy.md", "")
        let empty = runbook(["resume", "--yes", "--state-dir", box.state, file], env: env)
        #expect(empty.status == 5 && empty.stderr.contains("is not the runbook this run started with"))

        box.write("deploy.md", "# Other\n\n```bash {id=x}\necho x >> \"$OUT\"\n```\n")
        let fresh = runbook(["resume", "--yes", "--new-run", "--state-dir", box.state, file], env: env)
        #expect(fresh.status == 0, "\(fresh.stdout)\(fresh.stderr)")
        #expect(box.runDirs().count == 2)
        #expect(out(box) == "a\nb\nx\n")
    }

    @Test("an accepted different runbook records c as removed by decision, never as silently completed")
    func acceptedDifferentRunbook() throws {
        let box = Sandbox()
        let file = box.write("deploy.md", Self.abc)
        let env = ["OUT": box.root + "/out.txt"]
        #expect(runbook(["run", "--state-dir", box.state, file], stdin: "r\nr\nq\n", env: env).status == 5)
        box.write("deploy.md", "# Other\n\n```bash {id=x}\necho x >> \"$OUT\"\n```\n")
        let r = runbook(["resume", "--yes", "--accept-changes", "all", "--state-dir", box.state, file], env: env)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let records = try box.journal()
        #expect(records.contains { $0.type == .decision && $0.key == "c" && $0.choice == "removed" })
        #expect(records.contains { $0.type == .decision && $0.key == "x" && $0.choice == "run" && $0.reason?.contains("--accept-changes") == true })
        #expect(records.last?.status == "completed")
    }

    @Test("renaming a heading does not re-run finished steps: the match by code is a decision")
    func renamedHeading() throws {
        let box = Sandbox()
        let drain = { (heading: String) in
            "# Rollback\n\n## \(heading)\n\n```bash {name=stop}\necho stop >> \"$OUT\"\n```\n\n```bash {name=wait}\necho wait >> \"$OUT\"\n```\n\n```bash {name=start}\necho start >> \"$OUT\"\n```\n"
        }
        let file = box.write("rollback.md", drain("Drain"))
        let env = ["OUT": box.root + "/out.txt"]
        #expect(runbook(["run", "--state-dir", box.state, file], stdin: "r\nr\nq\n", env: env).status == 5)
        box.write("rollback.md", drain("Drain traffic"))
        let r = runbook(["resume", "--yes", "--state-dir", box.state, file], env: env)
        #expect(r.status == 5, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("'rollback/drain-traffic/stop' looks like 'rollback/drain/stop', which finished: same code"))
        #expect(r.stderr.contains("rollback/drain-traffic/stop"))
        #expect(out(box) == "stop\nwait\n")

        let accepted = runbook(["resume", "--yes", "--accept-changes", "all", "--state-dir", box.state, file], env: env)
        #expect(accepted.status == 0, "\(accepted.stdout)\(accepted.stderr)")
        #expect(out(box) == "stop\nwait\nstart\n", "stop and wait did not run again")
    }

    @Test("ordinal keys are not matched by position: an inserted identical block is reported as added")
    func ordinalKeys() throws {
        let box = Sandbox()
        let block = { (text: String) in "```bash\necho \(text) >> \"$OUT\"\n```\n\n" }
        let file = box.write("o.md", "# O\n\n" + block("same") + block("same") + block("c"))
        let env = ["OUT": box.root + "/out.txt"]
        #expect(runbook(["run", "--state-dir", box.state, file], stdin: "r\nr\nq\n", env: env).status == 5)
        box.write("o.md", "# O\n\n" + block("same") + block("same") + block("same") + block("c"))
        let r = runbook(["resume", "--yes", "--state-dir", box.state, file], env: env)
        #expect(r.status == 5, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("added"))
        #expect(out(box) == "same\nsame\n", "nothing ran")
        let piped = runbook(["resume", "--state-dir", box.state, file], stdin: "s the copy is a duplicate\nr\n", env: env)
        #expect(piped.status == 0, "\(piped.stdout)\(piped.stderr)")
        #expect(out(box) == "same\nsame\nc\n")
    }

    @Test("an interrupted idempotent step whose code changed is flagged unknown and changed, with the diff")
    func unknownAndChanged() throws {
        let box = Sandbox()
        let file = box.write("u.md", "# U\n\n```bash {id=sync idempotent}\necho old >> \"$OUT\"\n```\n")
        var env = ["OUT": box.root + "/out.txt"]
        env["RUNBOOK_TEST_CRASH_AT"] = "after_step_start_sync"
        _ = runbook(["run", "--yes", "--state-dir", box.state, file], env: env)
        env.removeValue(forKey: "RUNBOOK_TEST_CRASH_AT")
        box.write("u.md", "# U\n\n```bash {id=sync idempotent}\necho new >> \"$OUT\"\n```\n")
        let r = runbook(["resume", "--yes", "--state-dir", box.state, file], env: env)
        #expect(r.status == 5, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("outcome was never recorded") && r.stdout.contains("its code changed"))
        #expect(r.stdout.contains("-echo old >> \"$OUT\"") && r.stdout.contains("+echo new >> \"$OUT\""))
        #expect(out(box) == "")
        let go = runbook(["resume", "--yes", "--rerun-unknown", "sync", "--state-dir", box.state, file], env: env)
        #expect(go.status == 0, "\(go.stdout)\(go.stderr)")
        #expect(out(box) == "new\n")
        #expect(try box.journal().contains { $0.type == .decision && $0.choice == "rerun" && $0.reason?.contains("--rerun-unknown") == true })
        // The report counts attempts as the journal does (status and export say 2), the one before this process said apart.
        let line = go.stdout.components(separatedBy: "\n").first { $0.contains("✔ sync") } ?? ""
        #expect(line.contains("2 attempts (1 earlier)"), "\(go.stdout)")
    }

    @Test("before anything runs, resume lists every step: finished, to run, added, removed, changed")
    func preview() throws {
        let box = Sandbox()
        let file = box.write("p.md", Self.abc)
        let env = ["OUT": box.root + "/out.txt"]
        #expect(runbook(["run", "--state-dir", box.state, file], stdin: "r\nr\nq\n", env: env).status == 5)
        box.write("p.md", Self.abc.replacingOccurrences(of: "echo b", with: "echo B") + "\n```bash {id=d}\necho d >> \"$OUT\"\n```\n")
        let r = runbook(["resume", "--yes", "--state-dir", box.state, file], env: env)
        #expect(r.status == 5)
        for line in ["finished  a", "changed   b", "to run    c", "added     d"] {
            #expect(r.stdout.contains(line), "missing '\(line)' in:\n\(r.stdout)")
        }
    }

    @Test("a long run's resume list folds stretches of steps alike into one line each, says so, and lists every step that needs a decision")
    func foldedPreview() throws {
        let box = Sandbox()
        let body = (0..<14).map { "```bash {id=s-\($0)}\necho \($0)\n```\n" }.joined(separator: "\n")
        let file = box.write("long.md", "# Long\n\n" + body)
        // Nine steps run (s-0 to s-8), then the operator pauses.
        let first = runbook(["run", "--state-dir", box.state, file], stdin: String(repeating: "r\n", count: 9) + "q\n")
        #expect(first.status == 5, "\(first.stdout)\(first.stderr)")
        box.write("long.md", "# Long\n\n" + body.replacingOccurrences(of: "echo 5\n", with: "echo five\n"))
        let r = runbook(["resume", "--yes", "--state-dir", box.state, file])
        #expect(r.status == 5, "\(r.stdout)\(r.stderr)")
        let runId = try #require(box.runDirs().last.map { ($0 as NSString).lastPathComponent })
        let expected = [
            "  finished  s-0 … s-4  5 steps, ok",
            "  changed   s-5  finished ok; its code changed since",
            "  finished  s-6  ok", "  finished  s-7  ok", "  finished  s-8  ok",
            "  to run    s-9 … s-13  5 steps",
            "  (10 steps shown in stretches of 4 or more alike; runbook status \(runId) --state-dir \(box.state) lists each step)",
        ]
        let lines = r.stdout.split(separator: "\n").map(String.init)
        let start = try #require(lines.firstIndex { $0.hasPrefix("Steps (the journal compared") }, "\(r.stdout)")
        #expect(Array(lines[(start + 1)...].prefix(expected.count)) == expected, "\(r.stdout)")
        // What was folded is still there step by step where the list points.
        let status = runbook(["status", "--state-dir", box.state, runId])
        #expect(status.status == 0, "\(status.stdout)\(status.stderr)")
        for key in ["s-1", "s-2", "s-3", "s-10", "s-12"] { #expect(status.stdout.contains(key), "status lacks \(key):\n\(status.stdout)") }
    }

    @Test("run while the runbook has an unfinished run: says which, exits 5 without a terminal; --new-run starts another")
    func runWithUnfinished() throws {
        let box = Sandbox()
        let file = box.write("deploy.md", Self.abc)
        let env = ["OUT": box.root + "/out.txt"]
        #expect(runbook(["run", "--state-dir", box.state, file], stdin: "r\nq\n", env: env).status == 5)
        let runId = (box.runDirs()[0] as NSString).lastPathComponent
        let again = runbook(["run", "--yes", "--state-dir", box.state, file], env: env)
        #expect(again.status == 5, "\(again.stdout)\(again.stderr)")
        #expect(again.stderr.contains("has an unfinished run \(runId)"))
        #expect(out(box) == "a\n")
        let fresh = runbook(["run", "--yes", "--new-run", "--state-dir", box.state, file], env: env)
        #expect(fresh.status == 0)
        #expect(box.runDirs().count == 2)
    }

    @Test("a cut torn tail is recorded at once, even when the resume then stops on a missing secret")
    func tornTailRecordedEarly() throws {
        let box = Sandbox()
        let file = box.write(
            "s.md", "---\nparams:\n  API_TOKEN:\n    secret: true\n    required: true\n---\n# S\n\n```bash {id=a}\ntrue\n```\n\n```bash {id=b}\ntrue\n```\n")
        let secret = ["API_TOKEN": "s3cr3t-value-123"]
        #expect(runbook(["run", "--state-dir", box.state, file], stdin: "r\nq\n", env: secret).status == 5)
        let journal = box.runDirs()[0] + "/journal.jsonl"
        let handle = try #require(FileHandle(forWritingAtPath: journal))
        handle.seekToEndOfFile()
        handle.write(Data("{\"v\":1,\"seq\":99,\"type\":\"step_st".utf8))
        handle.closeFile()
        let stopped = runbook(["resume", "--yes", "--state-dir", box.state, file])
        #expect(stopped.status == 2, "\(stopped.stdout)\(stopped.stderr)")
        #expect(stopped.stderr.contains("API_TOKEN"))
        #expect(try box.journal().contains { $0.type == .recovered })
        let done = runbook(["resume", "--yes", "--state-dir", box.state, file], env: secret)
        #expect(done.status == 0, "\(done.stdout)\(done.stderr)")
        #expect(try box.journal().filter { $0.type == .recovered }.count == 1)
    }
}
