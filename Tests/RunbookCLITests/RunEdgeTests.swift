import Foundation
import RunbookKit
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("runbook run edge cases", .tags(.endToEnd))
struct RunEdgeTests {
    @Test("edit: the edited code runs and is recorded beside the original")
    func editStep() throws {
        let box = Sandbox()
        let editor = box.writeExecutable("editor.sh", "#!/bin/sh\nsed -i 's/original/edited/' \"$1\"\n")
        let file = box.write("rb.md", "# T\n\n```bash {id=a}\necho original > \(box.root)/out.txt\n```\n")
        let r = runbook(["run", "--state-dir", box.state, file], stdin: "e\nr\n", env: ["EDITOR": editor])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(String(decoding: FileManager.default.contents(atPath: box.root + "/out.txt") ?? Data(), as: UTF8.self) == "edited\n")
        let records = try box.journal()
        let edit = try #require(records.first { $0.type == .decision && $0.choice == "edit" })
        let ref = try #require(edit.editedCode)
        let stored = try #require(FileManager.default.contents(atPath: box.runDirs()[0] + "/" + ref.file))
        #expect(String(decoding: stored, as: UTF8.self).contains("echo edited"))
        #expect(SHA256.hex(Array(stored)) == ref.sha256)
        let start = try #require(records.first { $0.type == .stepStart })
        #expect(start.editedCode == ref)
        #expect(start.codeSHA256 == SHA256.hex("echo original > \(box.root)/out.txt\n"))
    }

    @Test("on failure, h opens a shell with the run's environment, then the prompt comes back; retry succeeds")
    func shellThenRetry() throws {
        let box = Sandbox()
        let shell = box.writeExecutable("shell.sh", "#!/bin/sh\necho \"shell saw TAG=$TAG\" > \(box.root)/shell.txt\ntouch \(box.root)/fixed\n")
        let file = box.write("rb.md", "---\nparams:\n  TAG:\n    default: v9\n---\n# T\n\n```bash {id=needs-fix}\ntest -f \(box.root)/fixed\necho $TAG\n```\n")
        let r = runbook(["run", "--state-dir", box.state, file], stdin: "r\nh\nr\n", env: ["SHELL": shell])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(String(decoding: FileManager.default.contents(atPath: box.root + "/shell.txt") ?? Data(), as: UTF8.self) == "shell saw TAG=v9\n")
        let records = try box.journal()
        #expect(records.filter { $0.type == .stepEnd }.map(\.status) == ["failed", "ok"])
        #expect(records.filter { $0.type == .decision }.map(\.choice) == ["shell", "retry"])
        #expect(records.filter { $0.type == .stepStart }.map(\.attempt) == [1, 2])
    }

    @Test("automatic retries, then on-failure=abort stops the run with exit 1")
    func retriesThenAbort() throws {
        let box = Sandbox()
        let file = box.write(
            "rb.md",
            "# T\n\n```bash {id=flaky retries=2 retry-delay=0s on-failure=abort}\necho try >> \(box.root)/tries; exit 7\n```\n\n```bash {id=next}\ntouch \(box.root)/ran\n```\n"
        )
        let r = runbook(["run", "--state-dir", box.state, file], stdin: "r\nr\n")
        #expect(r.status == 1)
        #expect(String(decoding: FileManager.default.contents(atPath: box.root + "/tries") ?? Data(), as: UTF8.self) == "try\ntry\ntry\n")
        #expect(!FileManager.default.fileExists(atPath: box.root + "/ran"))
        let records = try box.journal()
        #expect(records.filter { $0.type == .stepEnd }.map(\.exitCode) == [7, 7, 7])
        #expect(records.last?.type == .runEnd)
        #expect(records.last?.exitStatus == 1)
    }

    @Test("a step that reads the terminal without interactive is stopped, killed and told, on screen and in the record alike, to mark it {interactive}")
    func readsTerminal() throws {
        let box = Sandbox()
        let file = box.write("rb.md", "# T\n\n```bash {id=reader on-failure=abort}\nread x < /dev/tty\n```\n")
        let session = TerminalSession(["run", "--yes", "--state-dir", box.state, file])
        #expect(session.wait(timeout: 20) == 1)
        let end = try #require(try box.journal().first { $0.type == .stepEnd })
        #expect(end.status == "failed")
        #expect(end.error == "the step tried to use the terminal and was stopped; mark it {interactive} in the runbook", "\(end.error ?? "")")
        #expect(session.text.contains("mark it {interactive}"))
    }

    @Test("a 200 KiB single-line step runs (code is passed in a file, never as an argument)")
    func hugeCode() throws {
        let box = Sandbox()
        let payload = String(repeating: "x", count: 200 * 1024)
        let file = box.write("rb.md", "# T\n\n```bash {id=big}\nv='\(payload)'; echo ${#v} > \(box.root)/len\n```\n")
        let r = runbook(["run", "--yes", "--state-dir", box.state, file])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(String(decoding: FileManager.default.contents(atPath: box.root + "/len") ?? Data(), as: UTF8.self) == "\(200 * 1024)\n")
    }

    @Test("eight runs of one runbook at once: exactly one proceeds, the others exit 3 and write nothing")
    func manyAtOnce() throws {
        let box = Sandbox()
        let file = box.write("rb.md", "# T\n\n```bash {id=wait}\nsleep 3\n```\n")
        // Start all eight before waiting for any, so they really overlap.
        let script = """
            for i in 1 2 3 4 5 6 7 8; do
              ( "$0" run --yes --state-dir "$1" "$2" >/dev/null 2>&1; echo $? > "$3/status-$i" ) &
            done
            wait
            """
        let r = spawnAndWait(
            ["/bin/bash", "-c", script, runbookBinary, box.state, file, box.root], stdin: nil,
            environment: ["PATH": "/usr/bin:/bin", "HOME": "/tmp", "USER": "tester"], cwd: nil, timeout: 60)
        #expect(r.status == 0)
        let results = (1...8).map { i in
            Int32(
                String(decoding: FileManager.default.contents(atPath: box.root + "/status-\(i)") ?? Data(), as: UTF8.self)
                    .trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        }
        #expect(results.filter { $0 == 0 }.count == 1, "\(results)")
        #expect(results.filter { $0 == 3 }.count == 7, "\(results)")
        #expect(box.runDirs().count == 1)
    }

    @Test("a symlink in place of the state's runs folder is refused")
    func symlinkRefused() throws {
        let box = Sandbox()
        try FileManager.default.createDirectory(atPath: box.state, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: box.root + "/elsewhere", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: box.state + "/runs", withDestinationPath: box.root + "/elsewhere")
        let file = box.write("rb.md", "# T\n\n```bash {id=a}\ntouch \(box.root)/ran\n```\n")
        let r = runbook(["run", "--yes", "--state-dir", box.state, file])
        #expect(r.status == 74)
        #expect(r.stderr.contains("symlink"))
        #expect(!FileManager.default.fileExists(atPath: box.root + "/ran"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: box.root + "/elsewhere").isEmpty)
    }

    @Test("a full disk (file size limit) stops the run with exit 74 and the journal still verifies")
    func diskFull() throws {
        let box = Sandbox()
        var text = "# T\n\n"
        for i in 0..<40 { text += "```bash {id=s\(i)}\necho step \(i)\n```\n\n" }
        let file = box.write("rb.md", text)
        // ulimit -f counts 1024-byte blocks in bash: 8 KiB for any file the runner writes.
        let r = spawnAndWait(
            ["/bin/bash", "-c", "ulimit -f 8; exec \"$0\" \"$@\"", runbookBinary, "run", "--yes", "--state-dir", box.state, file],
            stdin: nil, environment: ["PATH": "/usr/bin:/bin", "HOME": "/tmp", "USER": "tester", "NO_COLOR": "1"],
            cwd: nil, timeout: 60)
        #expect(r.status == 74, "\(r.stdout)\(r.stderr)")
        #expect(r.stderr.contains("cannot write the journal") || r.stderr.contains("cannot write '"))
        let records = try box.journal()
        #expect(records.count > 3)
        #expect(records.last?.type != .runEnd)
    }

    @Test("a missing interpreter is reported before anything runs")
    func missingInterpreter() {
        let box = Sandbox()
        let file = box.write(
            "rb.md", "---\nshell: /no/such/shell\n---\n# T\n\n```bash {id=first}\ntouch \(box.root)/ran\n```\n\n```shell {id=second}\ntrue\n```\n")
        let r = runbook(["run", "--yes", "--state-dir", box.state, file])
        #expect(r.status == 2)
        #expect(r.stderr.contains("step 'second' needs '/no/such/shell', which is not on PATH"))
        #expect(!FileManager.default.fileExists(atPath: box.root + "/ran"))
        #expect(box.runDirs().isEmpty)
    }

    @Test("unknown --set names and values not matching a pattern are refused before anything runs")
    func badParams() {
        let box = Sandbox()
        let file = box.write("rb.md", "---\nparams:\n  TAG:\n    pattern: 'v[0-9]+'\n    required: true\n---\n# T\n\n```bash {id=a}\necho $TAG\n```\n")
        let typo = runbook(["run", "--yes", "--state-dir", box.state, "--set", "TGA=v1", "--set", "TAG=v1", file])
        #expect(typo.status == 2)
        #expect(typo.stderr.contains("--set TGA: \(file) has no param named 'TGA' (did you mean 'TAG'?)"))
        let bad = runbook(["run", "--yes", "--state-dir", box.state, "--set", "TAG=latest", file])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("'latest' does not match its pattern 'v[0-9]+'"))
        let missing = runbook(["run", "--yes", "--state-dir", box.state, file])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("param 'TAG'"))
        #expect(missing.stderr.contains("has no value; pass --set TAG=VALUE"))
        #expect(box.runDirs().isEmpty)
    }

    @Test("a param missing without --yes is asked for; piped answers fill it in")
    func promptedParam() throws {
        let box = Sandbox()
        let file = box.write("rb.md", "---\nparams:\n  TAG:\n    description: the tag\n---\n# T\n\n```bash {id=a}\necho \"tag=$TAG\" > \(box.root)/tag\n```\n")
        let r = runbook(["run", "--state-dir", box.state, file], stdin: "v7\nr\n")
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(String(decoding: FileManager.default.contents(atPath: box.root + "/tag") ?? Data(), as: UTF8.self) == "tag=v7\n")
        let start = try #require(try box.journal().first)
        #expect(start.params == [ParamValue(name: "TAG", value: "v7", secret: false, source: "prompt")])
    }
}

@Suite("runbook run keeps its runbook", .tags(.endToEnd))
struct RunbookChangeTests {
    @Test("a runbook edited during a run: the run keeps its version, warns once and records the new sha256")
    func editedMidRun() throws {
        let box = Sandbox()
        let file = box.write(
            "rb.md", "# T\n\n```bash {id=edit}\necho '# appended' >> \"$RUNBOOK_FILE\"\n```\n\n```bash {id=after}\necho after > \(box.root)/after.txt\n```\n")
        let original = try #require(FileManager.default.contents(atPath: file))
        let r = runbook(["run", "--yes", "--state-dir", box.state, file])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("changed on disk during this run"))
        #expect(FileManager.default.fileExists(atPath: box.root + "/after.txt"))
        let changed = try #require(FileManager.default.contents(atPath: file))
        let notes = try box.journal().filter { $0.type == .note && $0.text?.contains("changed on disk") == true }
        #expect(notes.count == 1)
        #expect(notes.first?.text?.contains(SHA256.hex(Array(changed))) == true)
        #expect(FileManager.default.contents(atPath: box.runDirs()[0] + "/runbook.md") == original)
    }
}
