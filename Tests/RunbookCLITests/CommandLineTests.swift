import Foundation
import Testing

@Suite("Command line", .tags(.endToEnd))
struct CommandLineTests {
    @Test("--version prints the version and exits 0")
    func version() {
        let r = runbook(["--version"])
        #expect(r.status == 0)
        #expect(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines).range(of: #"^\d+\.\d+\.\d+$"#, options: .regularExpression) != nil)
    }

    @Test("every command's --help has examples", arguments: ["run", "show", "check", "verify"])
    func helpHasExamples(command: String) {
        let r = runbook([command, "--help"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("Examples:"))
        #expect(r.stdout.contains("$ runbook \(command)"))
    }

    @Test("a usage error exits 2, not argument-parser's 64")
    func usageErrorExitsTwo() {
        let r = runbook(["check"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("runbook check"))
        let unknown = runbook(["run", "--no-such-flag", "x.md"])
        #expect(unknown.status == 2)
    }

    @Test("shell completions are generated")
    func completions() {
        let r = runbook(["--generate-completion-script", "bash"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("_runbook"))
    }

    @Test("check: clean file exits 0, an error exits 2 with FILE:LINE:COL, a missing file exits 2")
    func checkExitCodes() {
        let box = Sandbox()
        let good = box.write("good.md", "# T\n\n```bash {id=a}\necho hi\n```\n")
        let bad = box.write("bad.md", "# T\n\n```bash {id=a timout=5m}\necho hi\n```\n")
        #expect(runbook(["check", good]).status == 0)
        let r = runbook(["check", bad])
        #expect(r.status == 2)
        #expect(r.stderr.contains("\(bad):3:15: error: unknown attribute 'timout' (did you mean 'timeout'?)"))
        let missing = runbook(["check", box.root + "/nope.md"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("nope.md:1:1: error:"))
        #expect(missing.stderr.contains("no such file"))
    }

    @Test("check --json reports counts and findings; colour never appears under NO_COLOR")
    func checkJSON() throws {
        let box = Sandbox()
        let bad = box.write("bad.md", "# T\n\n```bash {id=a retries=many}\necho hi\n```\n")
        let r = runbook(["check", "--json", bad])
        #expect(r.status == 2)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(object["format"] as? String == "runbook-check")
        #expect(object["errors"] as? Int == 1)
        #expect(!r.stderr.contains("\u{1B}["))
    }

    @Test("show --json lists steps with keys and lines")
    func showJSON() throws {
        let box = Sandbox()
        let file = box.write("s.md", "# Deploy\n\n```bash {id=build}\nmake\n```\n\n- [ ] Tell the team {id=tell}\n")
        let r = runbook(["show", "--json", file])
        #expect(r.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let steps = try #require(object["steps"] as? [[String: Any]])
        #expect(steps.map { $0["key"] as? String } == ["build", "tell"])
        #expect(steps.map { $0["line"] as? Int } == [3, 7])
        #expect(steps.map { $0["kind"] as? String } == ["code", "manual"])
    }

    @Test("the shipped runbooks check clean")
    func shippedRunbooks() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = root.appendingPathComponent("runbooks").path
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".md") }.map { dir + "/" + $0 }
        #expect(files.count >= 5)
        let r = runbook(["check"] + files)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("0 errors"))
    }
}
