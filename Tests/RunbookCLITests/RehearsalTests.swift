import Foundation
import RunbookKit
import Testing

/// Rehearsals: `runbook run --dry-run` (issue 8, item 1).
@Suite("runbook run --dry-run rehearses", .tags(.endToEnd))
struct RehearsalTests {
    /// The repository's `runbooks/` folder.
    static let runbooks: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("runbooks").path
    }()

    /// A PATH folder whose commands (the ones the shipped runbooks call) only leave a mark when called.
    private func tripwires(_ box: Sandbox) throws -> (path: String, marks: String) {
        let bin = box.root + "/tripwire-bin"
        let marks = box.root + "/called"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        for name in ["curl", "psql", "pg_dump", "pg_restore", "koyeb", "wrangler", "npm", "npx", "git", "docker", "gh", "jq", "kubectl", "skopeo", "crane"] {
            box.writeExecutable("tripwire-bin/" + name, "#!/bin/sh\necho \(name) >> '\(marks)'\n")
        }
        return (bin + ":/usr/bin:/bin", marks)
    }

    @Test("every shipped runbook rehearses with --yes, and nothing of it runs")
    func shippedRunbooks() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.runbooks).filter { $0.hasSuffix(".md") }.sorted()
        #expect(names.count == 5)
        for name in names {
            let box = Sandbox()
            let (path, marks) = try tripwires(box)
            let env = [
                "PATH": path, "TAG": "v1.2.3", "ROLLBACK_TAG": "v1.2.2", "DATABASE_URL": "postgres://app:pw-not-real@127.0.0.1:1/app",
                "CLOUDFLARE_ACCOUNT_ID": "acct-0000", "CLOUDFLARE_API_TOKEN": "cf-token-not-real", "BACKUP_DIR": box.root,
                "REPO_DIR": box.root,
            ]
            let r = runbook(["run", "--dry-run", "--yes", "--state-dir", box.state, Self.runbooks + "/" + name], env: env, cwd: box.root)
            #expect(r.status == 0 || r.status == 1, "\(name): \(r.stdout)\(r.stderr)")
            #expect(r.stdout.contains("REHEARSAL"), "\(name)")
            #expect(!FileManager.default.fileExists(atPath: marks), "\(name) called: \((try? String(contentsOfFile: marks, encoding: .utf8)) ?? "")")
            let records = try box.journal()
            #expect(records.first?.mode == "rehearsal")
            let ends = records.filter { $0.type == .stepEnd }
            #expect(!ends.isEmpty && ends.allSatisfy { ["rehearsed", "done", "skipped", "failed"].contains($0.status ?? "") }, "\(name)")
            #expect(!ends.contains { $0.exitCode != nil }, "\(name): no step process ran")
        }
    }

    @Test("a step that would create a file does not; its rehearse= command runs instead and is recorded")
    func nothingRuns() throws {
        let box = Sandbox()
        let file = box.write(
            "r.md",
            "# R\n\n```bash {id=create}\ntouch \"$OUT/created\"\n```\n\n```bash {id=diff rehearse=\"touch $OUT/rehearsed && echo would change 2 rows\"}\ntouch \"$OUT/applied\"\n```\n"
        )
        let r = runbook(["run", "--dry-run", "--yes", "--state-dir", box.state, file], env: ["OUT": box.root])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: box.root + "/created"))
        #expect(!FileManager.default.fileExists(atPath: box.root + "/applied"))
        #expect(FileManager.default.fileExists(atPath: box.root + "/rehearsed"))
        #expect(r.stdout.contains("would change 2 rows") && r.stdout.contains("its rehearse= command ran instead of it"))
        let ends = try box.journal().filter { $0.type == .stepEnd }
        #expect(ends.map(\.status) == ["rehearsed", "rehearsed"])
        #expect(ends[1].output?.bytesTotal == 20)
        #expect(try box.journal().last?.status == "completed")
    }

    @Test("checks: a syntax error, a missing folder or interpreter fail (exit 1); a command not on PATH is a warning")
    func checks() throws {
        let box = Sandbox()
        let file = box.write(
            "c.md",
            "# C\n\n```bash {id=broken}\nif true; then\n  echo missing fi\n```\n\n```python {id=py}\nprint('ok'\n```\n\n```bash {id=nowhere dir=/no/such/dir}\ntrue\n```\n\n```bash {id=tool}\nfrobnicate-not-installed --now\n```\n\n```ruby {id=rb}\nputs 1\n```\n"
        )
        let r = runbook(["run", "--dry-run", "--yes", "--state-dir", box.state, file], env: ["PATH": "/usr/bin:/bin"])
        #expect(r.status == 1, "\(r.stdout)\(r.stderr)")
        let ends = try box.journal().filter { $0.type == .stepEnd }
        let byKey = Dictionary(ends.map { ($0.key ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        #expect(byKey["broken"]?.status == "failed" && byKey["broken"]?.error?.contains("syntax check 'bash -n' failed") == true)
        #expect(byKey["py"]?.status == "failed" && byKey["py"]?.error?.contains("syntax check") == true)
        #expect(byKey["nowhere"]?.error?.contains("its folder '/no/such/dir' does not exist") == true)
        #expect(byKey["tool"]?.status == "rehearsed")
        #expect(byKey["tool"]?.findings == ["warning: 'frobnicate-not-installed' is not on PATH here"])
        #expect(r.stdout.contains("warning: 'frobnicate-not-installed' is not on PATH here"))
        if FileManager.default.fileExists(atPath: "/usr/bin/ruby") {
            #expect(byKey["rb"]?.status == "rehearsed")
        } else {
            #expect(byKey["rb"]?.error == "interpreter 'ruby' is not on PATH")
        }
        #expect(try box.journal().last?.status == "completed_with_failures")
    }

    @Test("code is shown with params filled in for display, secrets masked; the journal has neither value's secret")
    func display() throws {
        let box = Sandbox()
        let file = box.write(
            "d.md",
            "---\nparams:\n  TAG: {}\n  TOKEN:\n    secret: true\n---\n# D\n\n```bash {id=show}\ncurl -H \"Authorization: $TOKEN\" https://x/$TAG/${TAG}\n```\n"
        )
        let r = runbook(["run", "--dry-run", "--yes", "--state-dir", box.state, file], env: ["TAG": "v9.9.9", "TOKEN": "tok-123456789"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("curl -H \"Authorization: [secret]\" https://x/v9.9.9/v9.9.9"))
        #expect(!r.stdout.contains("tok-123456789"))
        #expect(!contains(box.allStateBytes(), "tok-123456789"))
    }

    @Test("a rehearsal is never resumed as a live run, and a live run does not offer to resume it")
    func neverLive() throws {
        let box = Sandbox()
        let file = box.write("t.md", "# T\n\n```bash {id=a}\ntouch \"$OUT/a\"\n```\n\n```bash {id=b}\ntouch \"$OUT/b\"\n```\n")
        let env = ["OUT": box.root]
        #expect(runbook(["run", "--dry-run", "--state-dir", box.state, file], stdin: "r\nq\n", env: env).status == 5)
        let resumed = runbook(["resume", "--yes", "--state-dir", box.state, file], env: env)
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        #expect(resumed.stdout.contains("mode: rehearsal") && resumed.stdout.contains("REHEARSAL"))
        #expect(!FileManager.default.fileExists(atPath: box.root + "/a") && !FileManager.default.fileExists(atPath: box.root + "/b"))
        #expect(try box.journal().filter { $0.type == .stepEnd }.map(\.status) == ["rehearsed", "rehearsed"])

        #expect(runbook(["run", "--dry-run", "--state-dir", box.state, file], stdin: "q\n", env: env).status == 5)
        let live = runbook(["run", "--yes", "--state-dir", box.state, file], env: env)
        #expect(live.status == 0, "a live run is not held back by an unfinished rehearsal: \(live.stderr)")
        #expect(FileManager.default.fileExists(atPath: box.root + "/a"))
    }
}
