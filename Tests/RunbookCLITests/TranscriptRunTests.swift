import Foundation
import RunbookKit
import Testing

/// Issue 11, the run-time half: a wiki runbook's console transcripts and `<placeholders>` run as an
/// operator would type them, through the built binary on a pseudo-terminal.
@Suite("running wiki runbooks: transcripts and placeholders", .tags(.endToEnd))
struct TranscriptRunTests {
    static let transcript = """
        # T

        ```bash {id=list}
        $ echo hello
        hello
        $ X=two; cd "$WORK"
        $ echo "$X words in $(basename "$PWD")"
        three words in work
        $ printf 'last\\n'
        ```
        """

    @Test("a transcript step runs its commands, never its prompts or output lines; expected output is shown next to the real one")
    func transcriptStep() throws {
        let box = Sandbox()
        let file = box.write("t.md", Self.transcript)
        try FileManager.default.createDirectory(atPath: box.root + "/work", withIntermediateDirectories: true)
        let session = TerminalSession(["run", "--state-dir", box.state, file], env: ["WORK": box.root + "/work"])
        #expect(session.waitFor("[r]un [s]kip"), "\(session.text)")
        session.send("r")
        #expect(session.wait() == 0, "a differing output is a note, never a failure: \(session.text)")
        let screen = try renderedScreen(session.transcript).joined(separator: "\n")
        #expect(!screen.contains("command not found"), "\(screen)")
        #expect(screen.contains("two words in work"), "commands share one shell: \(screen)")
        #expect(screen.contains("output differs from the runbook's"), "\(screen)")
        #expect(screen.contains("three words in work"), "the expected output is shown: \(screen)")
        #expect(screen.contains("Run completed (1 ok)"), "\(screen)")

        let records = try box.journal()
        let end = try #require(records.first { $0.type == .stepEnd })
        #expect(end.status == "ok")
        // The recorded output is byte for byte what the commands wrote: no marker, no prompt.
        let dir = try #require(box.runDirs().last)
        let log = try #require(FileManager.default.contents(atPath: dir + "/" + (end.output?.file ?? "")))
        #expect(String(decoding: log, as: UTF8.self) == "hello\ntwo words in work\nlast\n")
        let notes = records.filter { $0.type == .note && $0.key == "list" }.compactMap(\.text)
        #expect(notes.count == 1, "one note, for the one command whose output differs: \(notes)")
        #expect(notes.first?.contains("command 3 of 4") == true, "\(notes)")
        #expect(notes.first?.contains("t.md:7") == true, "names where the command is: \(notes)")
    }

    @Test("lines of a transcript that are neither commands nor output do not run, and the run says so before the step, on screen and in the record")
    func linesNotRunAreSaid() throws {
        let box = Sandbox()
        let file = box.write("m.md", "# M\n\n```bash {id=mixed}\necho start\n$ echo prompted\ntouch \(box.root)/made\n```\n")
        let r = runbook(["run", "--yes", "--state-dir", box.state, file])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: box.root + "/made"), "the line after the command is its expected output")
        let said = "m.md:4:1: this line comes before the first prompt, so it is neither a command nor output"
        let shown = try #require(r.stdout.range(of: said), "\(r.stdout)")
        let ran = try #require(r.stdout.range(of: "\nprompted\n"), "\(r.stdout)")
        #expect(shown.lowerBound < ran.lowerBound, "said before the step runs: \(r.stdout)")
        #expect(r.stdout.contains("it does not run"), "\(r.stdout)")
        let notes = try box.journal().filter { $0.type == .note && $0.key == "mixed" }.compactMap(\.text)
        #expect(notes.contains { $0.contains(said) && $0.contains("it does not run") }, "\(notes)")
    }

    @Test("a transcript command whose exit status expect-exit allows does not stop it: the next commands run, the step takes the last one's status")
    func expectedExitGoesOn() throws {
        let box = Sandbox()
        let file = box.write(
            "x.md",
            "# X\n\n```bash {id=tx expect-exit=0,1 on-failure=continue}\n$ echo hi\nhi\n$ grep -q nothing /dev/null\n$ echo after\nafter\n$ exit 3\n```\n")
        let r = runbook(["run", "--yes", "--state-dir", box.state, file])
        #expect(r.stdout.components(separatedBy: "\n").contains("after"), "command 3 ran: \(r.stdout)")
        #expect(!r.stdout.contains("the commands after it did not run") || r.stdout.contains("command 4 of 4"), "\(r.stdout)")
        #expect(r.stdout.contains("command 4 of 4 (") && r.stdout.contains("x.md:9) failed"), "exit 3 is not allowed: \(r.stdout)")
        let end = try #require(try box.journal().first { $0.type == .stepEnd && $0.key == "tx" })
        #expect(end.status == "failed" && end.exitCode == 3, "\(end)")
        // With every command's status allowed, the step ends with the last one's.
        let allowed = box.write("y.md", "# Y\n\n```bash {id=ty expect-exit=0,1}\n$ false\n$ echo second\nsecond\n$ grep -q nothing /dev/null\n```\n")
        let ok = runbook(["run", "--yes", "--state-dir", box.state + "-y", allowed])
        #expect(ok.status == 0, "\(ok.stdout)\(ok.stderr)")
        #expect(ok.stdout.components(separatedBy: "\n").contains("second"), "\(ok.stdout)")
        #expect(ok.stdout.contains("ok (exit 1"), "\(ok.stdout)")
    }

    @Test("a failing command of a transcript stops it there, and says which command failed")
    func transcriptFailure() throws {
        let box = Sandbox()
        let file = box.write("f.md", "# F\n\n```bash {id=f on-failure=continue}\n$ echo one\n$ false\n$ echo never\n```\n")
        let r = runbook(["run", "--yes", "--state-dir", box.state, file])
        #expect(r.status == 1, "\(r.stdout)\(r.stderr)")
        #expect(!r.stdout.components(separatedBy: "\n").contains("never"), "\(r.stdout)")
        #expect(r.stdout.contains("command 2 of 3 (") && r.stdout.contains("f.md:5) failed"), "\(r.stdout)")
        let notes = try box.journal().filter { $0.type == .note }.compactMap(\.text)
        #expect(notes.contains { $0.contains("f.md:5) failed") }, "\(notes)")
    }

    static let placeholders = """
        # P

        ```bash {id=first}
        $ set -- <namespace>; echo "args=$#" > "$OUT/first"
        $ echo 'pod=<pod-name>' >> "$OUT/first"
        ```

        ```bash {id=second}
        printf '%s|' "ns=<namespace>" <pod-name> > "$OUT/second"
        printf '%s' "YOUR_TOKEN_HERE" > "$OUT/token"
        cat <<EOF > "$OUT/heredoc"
        ns=<namespace>
        EOF
        ```
        """

    @Test("each placeholder is asked once, substituted shell-quoted (a space or ';' stays one argument), secrets never recorded")
    func placeholderValues() throws {
        let box = Sandbox()
        let file = box.write("p.md", Self.placeholders)
        let out = box.root + "/out"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let session = TerminalSession(["run", "--state-dir", box.state, file], env: ["OUT": out])
        #expect(session.waitFor("value for <namespace>"), "\(session.text)")
        session.send("my ns; echo INJECTED \"$HOME\" `id` '\r")
        #expect(session.waitFor("value for <pod-name>"), "\(session.text)")
        session.send("pod 'a'\r")
        #expect(session.waitFor("value for YOUR_TOKEN_HERE"), "\(session.text)")
        session.send("s3cret-token-value\r")
        #expect(session.waitFor("[r]un [s]kip"), "\(session.text)")
        session.send("r")
        #expect(session.waitForCount("[r]un [s]kip", 2), "\(session.text)")
        session.send("r")
        #expect(session.wait() == 0, "\(session.text)")
        #expect(session.count("value for <namespace>") == 1, "one question for two steps")
        #expect(session.count("value for <pod-name>") == 1)

        let namespace = "my ns; echo INJECTED \"$HOME\" `id` '"
        func read(_ name: String) -> String {
            String(decoding: FileManager.default.contents(atPath: out + "/" + name) ?? Data(), as: UTF8.self)
        }
        #expect(read("first") == "args=1\npod=pod 'a'\n", "outside quotes and inside '…'")
        #expect(read("second") == "ns=\(namespace)|pod 'a'|", "inside \"…\" and outside quotes")
        #expect(read("heredoc") == "ns=\(namespace)\n", "in a heredoc body")
        #expect(read("token") == "s3cret-token-value")

        let records = try box.journal()
        let start = try #require(records.first)
        let values = start.placeholders ?? []
        #expect(values.first { $0.name == "NAMESPACE" }?.value == namespace, "\(values)")
        #expect(values.first { $0.name == "TOKEN" }?.secret == true)
        #expect(values.first { $0.name == "TOKEN" }?.value == nil)
        #expect(!contains(box.allStateBytes(), "s3cret-token-value"), "the secret-looking value is in no file of the state directory")
        let screen = try renderedScreen(session.transcript).joined(separator: "\n")
        #expect(!screen.contains("s3cret-token-value"), "never echoed: \(screen)")
        #expect(screen.contains("placeholders: NAMESPACE="), "the header shows the values: \(screen)")
        #expect(screen.contains("TOKEN=[secret]"), "\(screen)")

        let exported = runbook(["export", "--state-dir", box.state, "--format", "json", try #require(box.runDirs().last)])
        #expect(exported.status == 0, "\(exported.stderr)")
        #expect(!exported.stdout.contains("s3cret-token-value"))
        #expect(exported.stdout.contains("NAMESPACE"), "the export lists the placeholder values: \(exported.stdout.prefix(2000))")
    }

    @Test(
        "a value the shell could read as code where the quotes cannot prove it will not ($(…) inside \"…\", a heredoc that feeds a shell, $'…') is refused before anything runs",
        arguments: [
            "echo \"pod: $(echo <pod-name>)\"",
            "bash <<EOF\necho <pod-name>\nEOF",
            "bash <<'EOF'\necho <pod-name>\nEOF",
            "echo $'pod: <pod-name>'",
            "echo \"pod: `echo <pod-name>`\"",
        ])
    func codeInValueRefused(code: String) throws {
        let box = Sandbox()
        let file = box.write("p.md", "# P\n\n```bash {id=logs}\n\(code)\n```\n")
        for value in ["web-0; touch \(box.root)/pwned", "web-0$(touch \(box.root)/pwned)", "web-0\\'; touch \(box.root)/pwned; echo \\'"] {
            let r = runbook(["run", "--yes", "--state-dir", box.state, "--set", "POD_NAME=\(value)", file])
            #expect(r.status == 2, "\(code) with \(value): \(r.stdout)\(r.stderr)")
            #expect(r.stderr.contains("placeholder '<pod-name>' (") && r.stderr.contains("could be read as code"), "\(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: box.root + "/pwned"), "\(code) with \(value) ran the value")
            #expect(box.runDirs().isEmpty)
        }
        // A plain value still runs.
        let ok = runbook(["run", "--yes", "--state-dir", box.state, "--set", "POD_NAME=web-0", file])
        #expect(ok.status == 0, "\(ok.stdout)\(ok.stderr)")
        #expect(ok.stdout.contains("web-0"), "\(ok.stdout)")
    }

    @Test("a resume asks no value for a placeholder whose only step finished earlier with the same code")
    func resumeSkipsFinishedPlaceholders() throws {
        let box = Sandbox()
        let file = box.write(
            "ph.md",
            "# P\n\n```bash {id=first}\necho one\n```\n\n```bash {id=second}\nprintf '%s\\n' \"YOUR_TOKEN_HERE\" | wc -c\n```\n\n- [ ] Tell the channel {id=tell}\n"
        )
        let first = runbook(["run", "--state-dir", box.state, "--set", "TOKEN=s3cret-token-value", file], stdin: "r\nr\n")
        #expect(first.status == 5, "paused at the manual step: \(first.stdout)\(first.stderr)")
        #expect(try box.journal().contains { $0.type == .stepEnd && $0.key == "second" && $0.status == "ok" })
        let resumed = runbook(["resume", "--yes", "--state-dir", box.state, file])
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        #expect(!resumed.stderr.contains("YOUR_TOKEN_HERE"), "\(resumed.stderr)")
        // With the step's code changed it may run again: then its value is needed.
        box.write("ph2.md", "# P\n\n```bash {id=second}\nprintf '%s\\n' \"YOUR_TOKEN_HERE\"\n```\n\n- [ ] Tell {id=tell}\n")
        let again = runbook(["run", "--state-dir", box.state + "-2", "--set", "TOKEN=s3cret-token-value", box.root + "/ph2.md"], stdin: "r\n")
        #expect(again.status == 5, "\(again.stdout)\(again.stderr)")
        box.write("ph2.md", "# P\n\n```bash {id=second}\nprintf '%s|\\n' \"YOUR_TOKEN_HERE\"\n```\n\n- [ ] Tell {id=tell}\n")
        let changed = runbook(["resume", "--yes", "--state-dir", box.state + "-2", box.root + "/ph2.md"])
        #expect(changed.status == 2 && changed.stderr.contains("YOUR_TOKEN_HERE"), "\(changed.stdout)\(changed.stderr)")
    }

    @Test("--set fills placeholders without a terminal; without a value a step never runs and nothing is recorded")
    func unfilledPlaceholder() throws {
        let box = Sandbox()
        let file = box.write("p.md", Self.placeholders)
        let out = box.root + "/out"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)

        let missing = runbook(["run", "--yes", "--state-dir", box.state, "--set", "NAMESPACE=ns", file], env: ["OUT": out])
        #expect(missing.status == 2, "\(missing.stdout)\(missing.stderr)")
        #expect(missing.stderr.contains("step 'first' ("), "\(missing.stderr)")
        #expect(missing.stderr.contains("p.md:5:13) holds placeholder '<pod-name>'"), "\(missing.stderr)")
        #expect(missing.stderr.contains("--set POD_NAME=VALUE"), "\(missing.stderr)")
        #expect(missing.stderr.contains("'YOUR_TOKEN_HERE'"), "every missing value is named: \(missing.stderr)")
        #expect(box.runDirs().isEmpty, "refused before anything is recorded")
        #expect(!FileManager.default.fileExists(atPath: out + "/first"), "the step never ran")

        let rehearsal = runbook(["run", "--dry-run", "--yes", "--state-dir", box.state, "--set", "NAMESPACE=ns", file], env: ["OUT": out])
        #expect(rehearsal.status == 2, "a rehearsal asks for the same values: \(rehearsal.stderr)")
        #expect(rehearsal.stderr.contains("holds placeholder '<pod-name>'"), "\(rehearsal.stderr)")

        let sets = ["--set", "NAMESPACE=a b;c", "--set", "POD_NAME=p", "--set", "TOKEN=another-long-token"]
        let full = runbook(["run", "--yes", "--state-dir", box.state] + sets + [file], env: ["OUT": out])
        #expect(full.status == 0, "\(full.stdout)\(full.stderr)")
        #expect(String(decoding: FileManager.default.contents(atPath: out + "/first") ?? Data(), as: UTF8.self) == "args=1\npod=p\n")
        #expect(!contains(box.allStateBytes(), "another-long-token"))
        #expect(try box.journal().first?.placeholders?.first { $0.name == "NAMESPACE" }?.source == "set")

        let shown = runbook(["run", "--dry-run", "--yes", "--state-dir", box.state, "--new-run"] + sets + [file], env: ["OUT": out])
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout.contains("set -- 'a b;c'"), "the rehearsal shows the code with the values in: \(shown.stdout)")
    }

    @Test("a resumed run reuses the recorded values; a secret-looking one is asked again, never reused")
    func resumeReusesValues() throws {
        let box = Sandbox()
        let file = box.write(
            "r.md",
            "# R\n\n```bash {id=one}\necho <namespace> > \"$OUT/one\"\n```\n\n```bash {id=two}\necho \"<namespace> YOUR_TOKEN_HERE\" > \"$OUT/two\"\n```\n")
        let out = box.root + "/out"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let first = runbook(
            ["run", "--state-dir", box.state, "--set", "NAMESPACE=a b", "--set", "TOKEN=first-long-token", file], stdin: "r\nq\n", env: ["OUT": out])
        #expect(first.status == 5, "paused at step two: \(first.stdout)\(first.stderr)")
        let runId = try #require(box.runDirs().last.map { ($0 as NSString).lastPathComponent })
        let noToken = runbook(["resume", "--yes", "--state-dir", box.state, runId], env: ["OUT": out])
        #expect(noToken.status == 2, "\(noToken.stdout)\(noToken.stderr)")
        #expect(noToken.stderr.contains("'YOUR_TOKEN_HERE' with no value"), "\(noToken.stderr)")
        #expect(!noToken.stderr.contains("<namespace>"), "the recorded value is reused: \(noToken.stderr)")
        let resumed = runbook(["resume", "--yes", "--state-dir", box.state, "--set", "TOKEN=second-long-token", runId], env: ["OUT": out])
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        #expect(String(decoding: FileManager.default.contents(atPath: out + "/two") ?? Data(), as: UTF8.self) == "a b second-long-token\n")
        let notes = try box.journal().filter { $0.type == .note && $0.placeholders != nil }
        #expect(notes.map(\.placeholders?.first?.name) == ["TOKEN"], "the value given again is noted, by name only")
        #expect(notes.first?.placeholders?.first?.value == nil)
        let state = box.allStateBytes()
        #expect(!contains(state, "first-long-token") && !contains(state, "second-long-token"))
    }
}
