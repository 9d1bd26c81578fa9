import Foundation
import RunbookKit
import Testing

/// A `{rehearse-for=KEY}` block runs instead of its step in a rehearsal, and never in a live run (issue 8, item 1).
@Suite("rehearse-for blocks run instead of their step in a rehearsal", .tags(.endToEnd))
struct RehearseForEndToEndTests {
    static let text = """
        # Migrate

        ```bash {id=migrate}
        touch "$OUT/migrated"
        ```

        The rehearsal only looks:

        ```python {rehearse-for=migrate}
        import os
        open(os.environ["OUT"] + "/rehearsed", "w").write("x")
        print("would migrate 3 tables")
        ```

        ```bash {id=after}
        touch "$OUT/after"
        ```

        """

    @Test("run --dry-run --yes runs the block with its own interpreter, not the step; the journal and every export say so")
    func rehearsal() throws {
        let box = Sandbox()
        let file = box.write("m.md", Self.text)
        let r = runbook(["run", "--dry-run", "--yes", "--state-dir", box.state, file], env: ["OUT": box.root])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: box.root + "/rehearsed"), "the block ran")
        #expect(!FileManager.default.fileExists(atPath: box.root + "/migrated"), "the step's own code did not")
        #expect(!FileManager.default.fileExists(atPath: box.root + "/after"))
        let shown = try #require(r.stdout.range(of: "The rehearsal only looks:"), "the block's prose is shown with it")
        #expect(r.stdout.ranges(of: "rehearse-for").count == 2, "shown once, with its step, and not as the next step's prose: \(r.stdout)")
        #expect(r.stdout[shown.upperBound...].hasPrefix("\nrehearse-for block, line 9 (python):"), "\(r.stdout)")
        #expect(r.stdout.contains("would migrate 3 tables") && r.stdout.contains("its rehearse-for block ran instead of it"), "\(r.stdout)")
        let records = try box.journal()
        #expect(records.first?.totalSteps == 2, "the block is not a step")
        let ends = records.filter { $0.type == .stepEnd }
        #expect(ends.map(\.key) == ["migrate", "after"])
        #expect(ends.map(\.status) == ["rehearsed", "rehearsed"])
        #expect(ends.map(\.rehearsedBy) == ["rehearse-for", nil])
        let output = try #require(ends[0].output)
        #expect(output.bytesTotal == 23)
        let dir = try #require(box.runDirs().last)
        let log = try String(contentsOfFile: dir + "/" + output.file, encoding: .utf8)
        #expect(log.contains("would migrate 3 tables\n"), "the block's output is in the run's output log")

        let markdown = runbook(["export", dir, "--format", "markdown"]).stdout
        #expect(markdown.contains("rehearsal: its rehearse-for block ran instead of the step"), "\(markdown)")
        let html = runbook(["export", dir, "--format", "html"]).stdout
        #expect(html.contains("<p class=\"rehearsed-by\">rehearsal: its rehearse-for block ran instead of the step"))
        let jsonFile = box.root + "/export.json"
        #expect(runbook(["export", dir, "--format", "json", "-o", jsonFile]).status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: jsonFile))) as? [String: Any])
        let steps = try #require(object["steps"] as? [[String: Any]])
        let attempts = steps.map { ($0["attempts"] as? [[String: Any]])?.first?["rehearsed_by"] as? String }
        #expect(attempts == ["rehearse-for", nil])
        #expect(try schemaProblem(ofJSONFile: jsonFile) == nil)
    }

    @Test("a secret the block prints is masked in the run's record, and its code is shown with the secret masked")
    func secret() throws {
        let box = Sandbox()
        let file = box.write(
            "s.md",
            "---\nparams:\n  TOKEN:\n    secret: true\n---\n# S\n\n```bash {id=rotate}\nrotate \"$TOKEN\"\n```\n\n```sh {rehearse-for=rotate}\necho \"would rotate $TOKEN\"\n```\n"
        )
        let r = runbook(["run", "--dry-run", "--yes", "--state-dir", box.state, file], env: ["TOKEN": "tok-987654321", "PATH": "/usr/bin:/bin"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("echo \"would rotate [secret]\""), "\(r.stdout)")
        #expect(!contains(box.allStateBytes(), "tok-987654321"))
        let end = try #require(try box.journal().first { $0.type == .stepEnd })
        #expect(end.rehearsedBy == "rehearse-for" && (end.output?.masked ?? 0) == 1)
    }

    @Test("a live run runs the step and never the block")
    func live() throws {
        let box = Sandbox()
        let file = box.write("m.md", Self.text)
        let r = runbook(["run", "--yes", "--state-dir", box.state, file], env: ["OUT": box.root])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: box.root + "/migrated") && FileManager.default.fileExists(atPath: box.root + "/after"))
        #expect(!FileManager.default.fileExists(atPath: box.root + "/rehearsed"))
        #expect(try box.journal().filter { $0.type == .stepEnd }.map(\.key) == ["migrate", "after"])
    }

    @Test("a block that fails fails the step's rehearsal, with its output recorded; check refuses a misplaced block")
    func failureAndCheck() throws {
        let box = Sandbox()
        let failing = box.write("f.md", "# F\n\n```bash {id=apply}\ntouch \"$OUT/applied\"\n```\n\n```sh {rehearse-for=apply}\necho drift found\nexit 3\n```\n")
        let r = runbook(["run", "--dry-run", "--yes", "--state-dir", box.state, failing], env: ["OUT": box.root])
        #expect(r.status == 1, "\(r.stdout)\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: box.root + "/applied"))
        let end = try #require(try box.journal().first { $0.type == .stepEnd })
        #expect(end.status == "failed" && end.rehearsedBy == "rehearse-for")
        #expect(end.error == "its rehearse-for block (line 7) failed (exit 3)")
        #expect(end.output?.bytesTotal == 12)

        let wrong = box.write("w.md", "# W\n\n```bash {rehearse-for=aply}\necho x\n```\n\n```bash {id=apply}\ntrue\n```\n")
        let check = runbook(["check", wrong])
        #expect(check.status != 0)
        #expect(check.stderr.contains("w.md:3:10: error: rehearse-for names step 'aply', but no step has that key (did you mean 'apply'?)"), "\(check.stderr)")
    }

    @Test("a block's own expect-exit counts for the block only: kubectl diff's exit 1 (a difference found) passes the rehearsal, the live step still expects 0")
    func ownExpectExit() throws {
        let box = Sandbox()
        let text = """
            # Apply

            ```bash {id=apply}
            echo applied >> "$OUT/applied"
            exit 1
            ```

            ```bash {rehearse-for=apply expect-exit=0,1}
            echo "2 objects differ"
            exit 1
            ```

            """
        let file = box.write("a.md", text)
        let rehearsal = runbook(["run", "--dry-run", "--yes", "--state-dir", box.state, file], env: ["OUT": box.root])
        #expect(rehearsal.status == 0, "\(rehearsal.stdout)\(rehearsal.stderr)")
        #expect(!FileManager.default.fileExists(atPath: box.root + "/applied"))
        let rehearsed = try #require(try box.journal().first { $0.type == .stepEnd })
        #expect(rehearsed.status == "rehearsed" && rehearsed.rehearsedBy == "rehearse-for", "\(rehearsed)")
        let json = runbook(["show", "--json", file]).stdout
        let plan = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let steps = try #require(plan["steps"] as? [[String: Any]])
        let block = try #require(steps.first?["rehearsal"] as? [String: Any], "\(json)")
        #expect(block["expect_exit"] as? [Int] == [0, 1], "show --json gives the block's own codes: \(json)")

        // Live, the step runs with its own expect-exit (0): its exit 1 is a failure.
        let live = runbook(["run", "--yes", "--state-dir", box.state, "--new-run", file], env: ["OUT": box.root])
        #expect(live.status != 0, "\(live.stdout)\(live.stderr)")
        #expect(FileManager.default.fileExists(atPath: box.root + "/applied"))

        let bad = box.write("b.md", "# B\n\n```bash {id=apply}\ntrue\n```\n\n```bash {rehearse-for=apply expect-exit=one}\ntrue\n```\n")
        let check = runbook(["check", bad])
        #expect(check.status != 0)
        #expect(check.stderr.contains("b.md:7:29: error: attribute 'expect-exit' takes exit codes from 0 to 255 separated by commas"), "\(check.stderr)")
    }
}
