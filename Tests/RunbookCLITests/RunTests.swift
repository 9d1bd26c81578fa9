import Foundation
import RunbookKit
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("runbook run", .tags(.endToEnd))
struct RunTests {
    @Test("piped answers: run, done, skip with a reason; every answer recorded; the journal verifies")
    func pipedAnswers() throws {
        let box = Sandbox()
        let file = box.write(
            "rb.md",
            """
            # Demo

            ```bash {id=one}
            echo first > "\(box.root)/one.txt"
            ```

            - [ ] Tell the team {id=tell}

            ```bash {id=three}
            touch "\(box.root)/three.txt"
            ```
            """)
        let r = runbook(["run", "--state-dir", box.state, file], stdin: "r\nd\nskip not needed today\n")
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: box.root + "/one.txt"))
        #expect(!FileManager.default.fileExists(atPath: box.root + "/three.txt"))
        let records = try box.journal()
        #expect(records.first?.type == .runStart)
        #expect(records.last?.type == .runEnd)
        let ends = records.filter { $0.type == .stepEnd }
        #expect(ends.map(\.key) == ["one", "tell", "three"])
        #expect(ends.map(\.status) == ["ok", "done", "skipped"])
        let skip = try #require(records.first { $0.type == .decision && $0.choice == "skip" })
        #expect(skip.key == "three")
        #expect(skip.reason == "not needed today")
        #expect(records.contains { $0.type == .decision && $0.choice == "done" && $0.key == "tell" })
        // step_start is written before the step is spawned.
        let startIndex = try #require(records.firstIndex { $0.type == .stepStart && $0.key == "one" })
        let spawnedIndex = try #require(records.firstIndex { $0.type == .stepSpawned && $0.key == "one" })
        #expect(startIndex < spawnedIndex)
        let verify = runbook(["verify", "--state-dir", box.state, (box.runDirs().last! as NSString).lastPathComponent])
        #expect(verify.status == 0)
        #expect(verify.stdout.contains("ok, \(records.count) records"))
    }

    @Test("end of input pauses the run (exit 5) and records why")
    func endOfInputPauses() throws {
        let box = Sandbox()
        let file = box.write("rb.md", "# T\n\n```bash {id=a}\ntrue\n```\n\n```bash {id=b}\ntrue\n```\n")
        let r = runbook(["run", "--state-dir", box.state, file], stdin: "r\n")
        #expect(r.status == 5)
        let records = try box.journal()
        #expect(records.last?.type == .decision)
        #expect(records.last?.choice == "pause")
        #expect(records.last?.reason == "end of input")
        #expect(!records.contains { $0.type == .runEnd })
        #expect(r.stdout.contains("can be resumed"))
    }

    @Test("a bad runbook exits 2 and records nothing")
    func badRunbook() {
        let box = Sandbox()
        let file = box.write("rb.md", "# T\n\n```bash {id=a}\ntouch \(box.root)/ran\n\n## Later\n")
        let r = runbook(["run", "--yes", "--state-dir", box.state, file])
        #expect(r.status == 2)
        #expect(r.stderr.contains("never closed"))
        #expect(box.runDirs().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: box.root + "/ran"))
    }

    @Test("exit code and terminating signal are recorded separately")
    func exitCodeVersusSignal() throws {
        let box = Sandbox()
        let file = box.write(
            "rb.md",
            """
            # T

            ```bash {id=three on-failure=continue}
            exit 3
            ```

            ```bash {id=segv on-failure=continue}
            kill -SEGV $$
            ```

            ```bash {id=expected expect-exit=0,4}
            exit 4
            ```
            """)
        let r = runbook(["run", "--yes", "--state-dir", box.state, file])
        #expect(r.status == 1)
        let ends = try box.journal().filter { $0.type == .stepEnd }
        #expect(ends[0].exitCode == 3 && ends[0].signal == nil && ends[0].status == "failed")
        #expect(ends[1].exitCode == nil && ends[1].signal == "SEGV" && ends[1].status == "failed")
        #expect(ends[2].exitCode == 4 && ends[2].status == "ok")
    }

    @Test("a step that ignores SIGTERM is killed on timeout: TERM, then KILL to the whole group")
    func timeoutKillsGroup() throws {
        let box = Sandbox()
        let marker = "977.\(getpid())"
        let file = box.write(
            "rb.md",
            """
            # T

            ```bash {id=stubborn timeout=1s on-failure=abort}
            trap '' TERM INT
            sleep \(marker) &
            sleep \(marker)
            ```
            """)
        let r = runbook(["run", "--yes", "--state-dir", box.state, file], env: ["RUNBOOK_KILL_GRACE": "1"], timeout: 30)
        #expect(r.status == 1)
        #expect(r.seconds < 15)
        let end = try #require(try box.journal().first { $0.type == .stepEnd })
        #expect(end.status == "timed_out")
        #expect(end.timedOut == true)
        #expect(end.signalsSent == ["TERM", "KILL"])
        #expect(end.signal == "KILL")
        #expect(eventually { processes(matching: "sleep \(marker)").isEmpty })
    }

    @Test("processes a step leaves behind are killed and recorded")
    func leftoversKilled() throws {
        let box = Sandbox()
        let marker = "301.\(getpid())"
        let file = box.write(
            "rb.md",
            """
            # T

            ```bash {id=bg}
            sleep \(marker) &
            setsid sleep \(marker)1 &
            sleep 0.3   # let both children exec before the step ends
            echo started
            ```
            """)
        let r = runbook(["run", "--yes", "--state-dir", box.state, file], timeout: 30)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.seconds < 10)
        let end = try #require(try box.journal().first { $0.type == .stepEnd })
        #expect(end.status == "ok")
        let leftovers = try #require(end.leftovers)
        #expect(leftovers.count == 2)
        #expect(leftovers.allSatisfy { $0.command == "sleep" })
        #expect(eventually { processes(matching: "sleep \(marker)").isEmpty })
        #expect(r.stdout.contains("killed 2 process(es) the step left running"))
    }

    @Test("500 MB of output: runner memory stays under 100 MB and the record is capped with exact counts")
    func hugeOutput() throws {
        let box = Sandbox()
        let file = box.write(
            "rb.md",
            """
            # T

            ```bash {id=flood}
            head -c 500000000 /dev/zero | tr '\\0' a
            echo
            echo THE-END
            ```
            """)
        let r = runbook(["run", "--yes", "--state-dir", box.state, file], timeout: 300)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.maxRSSKiB > 0 && r.maxRSSKiB < 100 * 1024, "runner peak RSS \(r.maxRSSKiB) KiB")
        let end = try #require(try box.journal().first { $0.type == .stepEnd })
        let output = try #require(end.output)
        #expect(output.bytesTotal == 500_000_000 + 1 + 8)
        #expect(output.truncated)
        #expect(output.bytesKept < 600 * 1024)
        #expect(output.bytesDropped == output.bytesTotal - 512 * 1024)
        let log = try #require(FileManager.default.contents(atPath: box.runDirs()[0] + "/" + output.file))
        #expect(log.count == output.bytesKept)
        #expect(SHA256.hex(Array(log)) == output.sha256)
        let text = String(decoding: log, as: UTF8.self)
        #expect(text.contains("bytes of output dropped here"))
        #expect(text.hasSuffix("THE-END\n"))
    }

    @Test("binary and invalid UTF-8 output keep the journal valid; the record holds the raw bytes")
    func hostileBytes() throws {
        let box = Sandbox()
        let file = box.write(
            "rb.md",
            """
            # T

            ```bash {id=bytes}
            printf '\\0\\377\\033[2J\\r\\n'
            head -c 100000 /dev/urandom
            ```
            """)
        let r = runbook(["run", "--yes", "--state-dir", box.state, file])
        #expect(r.status == 0)
        let end = try #require(try box.journal().first { $0.type == .stepEnd })
        let output = try #require(end.output)
        let log = try #require(FileManager.default.contents(atPath: box.runDirs()[0] + "/" + output.file))
        #expect(Array(log.prefix(6)) == [0x00, 0xFF, 0x1B, 0x5B, 0x32, 0x4A])
        #expect(output.bytesTotal == 100_008)
        #expect(SHA256.hex(Array(log)) == output.sha256)
    }

    @Test("a declared secret printed plain, split across two writes, or base64 appears in no file of the state directory")
    func secretsNeverRecorded() throws {
        let box = Sandbox()
        let secret = "hunter2-\(getpid())-s3cr3t"
        let half = secret.count / 2
        let first = String(secret.prefix(half))
        let second = String(secret.dropFirst(half))
        let file = box.write(
            "rb.md",
            """
            ---
            params:
              API_KEY:
                secret: true
            ---
            # T

            ```bash {id=leak}
            echo "plain: $API_KEY"
            printf 'split: %s' '\(first)'; sleep 0.3; printf '%s\\n' '\(second)'
            printf '%s' "$API_KEY" | base64
            printf 'x%s' "$API_KEY" | base64
            printf '%s' "$API_KEY" | od -An -tx1 | tr -d ' \\n'; echo
            export TOKEN_COPY="prefix-$API_KEY"
            ```

            ```bash {id=after}
            echo "copy has ${#TOKEN_COPY} chars"
            ```
            """)
        let r = runbook(
            ["run", "--state-dir", box.state, file], stdin: "r\nnote the key is \(secret)\nr\n",
            env: ["API_KEY": secret])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let bytes = box.allStateBytes()
        #expect(!bytes.isEmpty)
        #expect(!contains(bytes, secret))
        #expect(!contains(bytes, first + second))
        #expect(!contains(bytes, String(Data(secret.utf8).base64EncodedString().dropLast(4))))
        #expect(!contains(bytes, hexString(Array(secret.utf8))))
        #expect(contains(bytes, "[masked]"))
        let records = try box.journal()
        let end = try #require(records.first { $0.type == .stepEnd && $0.key == "leak" })
        #expect((end.output?.masked ?? 0) >= 4)
        let exported = try #require(end.exports?.first { $0.name == "TOKEN_COPY" })
        #expect(exported.secret && exported.value == nil)
        #expect(r.stdout.contains("copy has \(secret.count + 7) chars"))
    }

    @Test(
        "a secret as the step's own tools encode it: percent-encoded by jq, Python and JavaScript's rules, base64 and hex as base64, openssl and xxd wrap them: in no file of the state directory and no export"
    )
    func encodedSecretsNeverRecorded() throws {
        let box = Sandbox()
        // The characters URL encoders leave alone (- . _ ~) and one they encode (&).
        let password = "Tr0ub4dor&3-horse_\(getpid()).x~y"
        // Long enough that base64 (76 a line), openssl (64) and xxd -p (60 hex digits) wrap it.
        let token = "tok-" + String(repeating: "0123456789abcdef", count: 5) + "-\(getpid())"
        let file = box.write(
            "rb.md",
            """
            ---
            params:
              DB_PASSWORD:
                secret: true
              API_TOKEN:
                secret: true
            ---
            # T

            ```bash {id=encode}
            printf %s "$DB_PASSWORD" | jq -sRr @uri
            python3 -c 'import os, urllib.parse as u; p = os.environ["DB_PASSWORD"] + " z"; print(u.quote(p)); print(u.quote_plus(p))'
            printf %s "$API_TOKEN" | base64
            echo "$API_TOKEN" | base64
            printf %s "$API_TOKEN" | openssl base64
            printf %s "$API_TOKEN" | xxd -p
            ```
            """)
        let r = runbook(["run", "--yes", "--state-dir", box.state, file], env: ["DB_PASSWORD": password, "API_TOKEN": token])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        var bytes = box.allStateBytes()
        let dir = try #require(box.runDirs().first)
        for format in ["markdown", "json", "html"] {
            let export = runbook(["export", dir, "--format", format])
            #expect(export.status == 0, "\(export.stderr)")
            bytes += Array(export.stdout.utf8)
        }
        #expect(contains(bytes, "[masked]"))
        // Every line of what the tools printed, and each piece of it 8 or more characters long.
        let base64 = Data(token.utf8).base64EncodedString()
        let hex = hexString(Array(token.utf8))
        var forms = [
            password.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "-._~").union(.alphanumerics))!,
            (password + " z").addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "-._~/").union(.alphanumerics))!,
        ]
        for (text, width) in [(base64, 76), (base64, 64), (hex, 60)] {
            var rest = Substring(text)
            while !rest.isEmpty {
                forms.append(String(rest.prefix(width)))
                rest = rest.dropFirst(width)
            }
        }
        for form in forms where form.utf8.count >= 8 {
            #expect(!contains(bytes, form), "recorded in clear: \(form)")
        }
        let end = try #require(try box.journal().first { $0.type == .stepEnd && $0.key == "encode" })
        #expect((end.output?.masked ?? 0) >= 7, "masked \(end.output?.masked ?? 0)")
    }

    @Test("an incident id with a line break is refused before anything runs: exit 2, the option named, nothing recorded")
    func incidentOnOneLine() {
        let box = Sandbox()
        let file = box.write("rb.md", "# T\n\n```bash {id=a}\ntouch \(box.root)/ran\n```\n")
        let r = runbook(["run", "--yes", "--state-dir", box.state, "--incident", "INC-1\nforged: header", file])
        #expect(r.status == 2, "\(r.stdout)\(r.stderr)")
        #expect(r.stderr.contains("--incident holds a line break"), "\(r.stderr)")
        #expect(box.runDirs().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: box.root + "/ran"))
    }

    @Test("a secret under 8 characters is refused before anything runs")
    func shortSecretRefused() {
        let box = Sandbox()
        let file = box.write("rb.md", "---\nparams:\n  PW:\n    secret: true\n---\n# T\n\n```bash {id=a}\necho $PW; touch \(box.root)/ran\n```\n")
        let r = runbook(["run", "--yes", "--state-dir", box.state, file], env: ["PW": "abc"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("secret param 'PW'"))
        #expect(r.stderr.contains("at least 8"))
        #expect(box.runDirs().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: box.root + "/ran"))
    }

    @Test("a missing dir and a missing interpreter are reported before anything runs")
    func preflight() {
        let box = Sandbox()
        let file = box.write(
            "rb.md",
            """
            # T

            ```bash {id=first}
            touch \(box.root)/ran
            ```

            ```bash {id=second dir=/no/such/folder}
            true
            ```
            """)
        let r = runbook(["run", "--yes", "--state-dir", box.state, file])
        #expect(r.status == 2)
        #expect(r.stderr.contains("rb.md:7: step 'second' runs in '/no/such/folder', which does not exist"))
        #expect(!FileManager.default.fileExists(atPath: box.root + "/ran"))
    }

    @Test("what a step exports is seen by later steps and recorded by name and value")
    func exportsCarry() throws {
        let box = Sandbox()
        let file = box.write(
            "rb.md",
            """
            # T

            ```bash {id=set}
            export RELEASE_TAG=v1.2.3
            ```

            ```sh {id=use}
            echo "tag=$RELEASE_TAG" > "\(box.root)/tag.txt"
            ```
            """)
        let r = runbook(["run", "--yes", "--state-dir", box.state, file])
        #expect(r.status == 0)
        #expect(String(decoding: FileManager.default.contents(atPath: box.root + "/tag.txt") ?? Data(), as: UTF8.self) == "tag=v1.2.3\n")
        let end = try #require(try box.journal().first { $0.type == .stepEnd && $0.key == "set" })
        #expect(end.exports == [ExportedVariable(name: "RELEASE_TAG", value: "v1.2.3", secret: false)])
    }

    @Test("two runs of one runbook at once: exactly one proceeds; the other exits 3 naming the holder")
    func oneRunAtATime() throws {
        let box = Sandbox()
        let file = box.write("rb.md", "# T\n\n```bash {id=wait}\nsleep 4\n```\n")
        let first = TerminalSession(["run", "--yes", "--state-dir", box.state, file])
        #expect(first.waitFor("step 1/1"))
        let second = runbook(["run", "--yes", "--state-dir", box.state, file])
        #expect(second.status == 3)
        #expect(second.stderr.contains("is being run by tester@"))
        #expect(second.stderr.contains("pid \(first.pid)"))
        #expect(second.seconds < 3)
        #expect(first.wait() == 0)
        #expect(box.runDirs().count == 1)
        // Once the holder is gone, the next run gets the lock.
        #expect(runbook(["run", "--yes", "--state-dir", box.state, file]).status == 0)
    }

    @Test("if the journal cannot be written, the step is not started and the run exits 74")
    func journalFailureStops() throws {
        let box = Sandbox()
        let file = box.write("rb.md", "# T\n\n```bash {id=a}\ntouch \(box.root)/ran\n```\n")
        let r = runbook(["run", "--yes", "--state-dir", box.state, file], env: ["RUNBOOK_TEST_JOURNAL_FAIL_AT_SEQ": "1"])
        #expect(r.status == 74)
        #expect(r.stderr.contains("cannot write the journal"))
        #expect(!FileManager.default.fileExists(atPath: box.root + "/ran"))
        let records = try box.journal()
        #expect(records.count == 1 && records[0].type == .runStart)
    }

    @Test("a step whose code is shorter than the step before it runs its own code only (the scratch file is rewritten whole)")
    func shorterCodeAfterLonger() throws {
        let box = Sandbox()
        let file = box.write(
            "rb.md", "# T\n\n```bash {id=long}\necho first-step-with-a-long-line\necho also-first\n```\n\n```bash {id=short}\necho two\n```\n")
        let r = runbook(["run", "--yes", "--state-dir", box.state, file])
        #expect(r.status == 0, "\(r.stderr)")
        let dir = try #require(box.runDirs().last)
        #expect(try String(contentsOfFile: dir + "/output.log", encoding: .utf8) == "first-step-with-a-long-line\nalso-first\ntwo\n")
    }

    @Test("if the output log cannot be synced, no step_end claims the output, nothing more runs, and the run exits 74")
    func outputLogSyncFailureStops() throws {
        let box = Sandbox()
        let file = box.write(
            "rb.md", "# T\n\n```bash {id=big}\nhead -c 5000 /dev/zero | tr '\\0' x\n```\n\n```bash {id=next}\ntouch \(box.root)/ran\n```\n")
        let r = runbook(["run", "--yes", "--state-dir", box.state, file], env: ["RUNBOOK_TEST_OUTPUT_LOG_SYNC_FAIL": "1"])
        #expect(r.status == 74, "\(r.stdout)\(r.stderr)")
        #expect(r.stderr.contains("cannot sync the output log"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: box.root + "/ran"))
        let records = try box.journal()
        #expect(!records.contains { $0.type == .stepEnd && $0.key == "big" }, "no step_end names output that is not on disk")
        #expect(records.last?.type == .stepSpawned && records.last?.key == "big")
        // The report says the step ran with no outcome recorded, and why the run stopped; only 'next' was not reached.
        let reportLine = r.stdout.components(separatedBy: "\n").first { $0.contains(" big ") } ?? ""
        #expect(reportLine.contains("✘") && reportLine.contains("outcome not recorded 1 attempt"), "\(r.stdout)")
        #expect(r.stdout.contains("Run stopped: its journal could not be written (1 not reached: next)"), "\(r.stdout)")
        // What the journal holds verifies; the step's bytes are its partial output, outcome unknown.
        let dir = try #require(box.runDirs().last)
        let v = runbook(["verify", dir])
        #expect(v.status == 0, "\(v.stderr)")
        #expect(v.stdout.contains("output.log@0+5000 is the partial output"), "\(v.stdout)")
    }

    @Test("a runner killed right after step_start leaves a journal that verifies, ending in that step_start")
    func crashAfterStepStart() throws {
        let box = Sandbox()
        let file = box.write("rb.md", "# T\n\n```bash {id=a}\ntouch \(box.root)/ran\n```\n")
        let r = runbook(["run", "--yes", "--state-dir", box.state, file], env: ["RUNBOOK_TEST_CRASH_AT": "after_step_start_sync"])
        #expect(r.status == 128 + SIGKILL)
        let records = try box.journal()
        #expect(records.last?.type == .stepStart)
        #expect(!FileManager.default.fileExists(atPath: box.root + "/ran"))
    }

    @Test("a changed journal line fails verification with exit 4")
    func tamperDetected() throws {
        let box = Sandbox()
        let file = box.write("rb.md", "# T\n\n```bash {id=a}\necho 1\n```\n\n```bash {id=b}\necho 2\n```\n")
        #expect(runbook(["run", "--yes", "--state-dir", box.state, file]).status == 0)
        let path = box.runDirs()[0] + "/journal.jsonl"
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"exit_code\":0", with: "\"exit_code\":1")
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        let r = runbook(["verify", path])
        #expect(r.status == 4)
        #expect(r.stderr.contains("prev mismatch"))
        // Whole records cut from the end are caught against the head printed at the end of the run.
        let box2 = Sandbox()
        let file2 = box2.write("rb.md", "# T\n\n```bash {id=a}\necho 1\n```\n")
        let run = runbook(["run", "--yes", "--state-dir", box2.state, file2])
        let head = try #require(run.stdout.components(separatedBy: "head sha256: ").last?.prefix(64))
        let journal = box2.runDirs()[0] + "/journal.jsonl"
        #expect(runbook(["verify", "--expect-head", String(head), journal]).status == 0)
        // The same hash in capitals is the same hash; a part of it is a usage error, not a cut journal.
        #expect(runbook(["verify", "--expect-head", head.uppercased(), journal]).status == 0)
        let part = runbook(["verify", "--expect-head", String(head.prefix(10)), journal])
        #expect(part.status == 2 && part.stderr.contains("--expect-head takes the whole head hash, 64 hex digits"), "\(part.stderr)")
        #expect(!part.stderr.contains("cut from the end"), "\(part.stderr)")
        var lines = try String(contentsOfFile: journal, encoding: .utf8).split(separator: "\n")
        lines.removeLast()
        try (lines.joined(separator: "\n") + "\n").write(toFile: journal, atomically: false, encoding: .utf8)
        #expect(runbook(["verify", "--expect-head", String(head), journal]).status == 4)
    }

    @Test("state folders are 0700 and files 0600 whatever the umask")
    func permissions() throws {
        let box = Sandbox()
        let file = box.write("rb.md", "# T\n\n```bash {id=a}\necho hi\n```\n")
        let old = umask(0)
        defer { umask(old) }
        #expect(runbook(["run", "--yes", "--state-dir", box.state, file]).status == 0)
        let run = box.runDirs()[0]
        func mode(_ path: String) -> Int {
            var s = stat()
            _ = lstat(path, &s)
            return Int(s.st_mode & 0o777)
        }
        #expect(mode(box.state) == 0o700)
        #expect(mode(run) == 0o700)
        #expect(mode(run + "/journal.jsonl") == 0o600)
        #expect(mode(run + "/runbook.md") == 0o600)
        #expect(mode(run + "/output.log") == 0o600)
        #expect(FileManager.default.contents(atPath: run + "/runbook.md") == FileManager.default.contents(atPath: file))
    }
}

@Suite("runbook run on a terminal", .tags(.endToEnd))
struct TerminalRunTests {
    @Test("key presses answer prompts; ? explains the keys")
    func keyPresses() throws {
        let box = Sandbox()
        let file = box.write("rb.md", "# T\n\n```bash {id=a}\necho from-step-a\n```\n\n- [ ] Check the dashboard {id=dash}\n")
        let session = TerminalSession(["run", "--state-dir", box.state, file])
        #expect(session.waitFor("[r]un"))
        session.send("?")
        #expect(session.waitFor("pause the run; it stays resumable"))
        session.send("r")
        #expect(session.waitFor("from-step-a"))
        #expect(session.waitFor("[d]one"))
        session.send("d")
        #expect(session.wait() == 0)
        let ends = try box.journal().filter { $0.type == .stepEnd }
        #expect(ends.map(\.status) == ["ok", "done"])
    }

    @Test("Ctrl-C interrupts the step, signals its whole group, and asks what to do next")
    func controlC() throws {
        let box = Sandbox()
        let marker = "555.\(getpid())"
        let file = box.write(
            "rb.md",
            """
            # T

            ```bash {id=slow}
            sh -c 'sleep \(marker) & sleep \(marker)'
            ```
            """)
        let session = TerminalSession(["run", "--state-dir", box.state, file])
        #expect(session.waitFor("[r]un"))
        session.send("r")
        #expect(eventually { processes(matching: "sleep \(marker)").count >= 2 })
        session.send("\u{03}")
        #expect(session.waitFor("step failed: [r]etry"))
        #expect(eventually { processes(matching: "sleep \(marker)").isEmpty })
        session.send("a")
        #expect(session.waitFor("abort the run? It ends here and cannot be resumed"))
        session.send("y")
        #expect(session.wait() == 1)
        let records = try box.journal()
        let end = try #require(records.first { $0.type == .stepEnd })
        #expect(end.status == "interrupted")
        #expect(end.signalsSent?.first == "INT")
        #expect(records.contains { $0.type == .decision && $0.choice == "abort" })
    }

    @Test("an interactive step runs on a pseudo-terminal; what the operator types is never recorded")
    func interactiveStep() throws {
        let box = Sandbox()
        let file = box.write(
            "rb.md",
            """
            # T

            ```bash {id=ask interactive}
            if [ -t 0 ]; then echo "on a tty"; fi
            read -r -s -p 'Password: ' pw
            echo
            echo "got ${#pw} chars"
            ```
            """)
        let session = TerminalSession(["run", "--state-dir", box.state, file])
        #expect(session.waitFor("[r]un"))
        session.send("r")
        // The code listing shows "Password:" once; wait for the step's own prompt (echo is off from then on).
        #expect(session.waitForCount("Password:", 2))
        usleep(100_000)
        session.send("typed-\(getpid())-pw\r")
        #expect(session.waitFor("got \("typed-\(getpid())-pw".count) chars"), "\(session.text)")
        #expect(session.wait() == 0)
        #expect(session.text.contains("on a tty"))
        #expect(!contains(box.allStateBytes(), "typed-\(getpid())-pw"))
    }
}

@Suite("runbook run and signals", .tags(.endToEnd, .slow))
struct SignalTests {
    @Test("SIGTERM to the runner stops the step's group, records the outcome and pauses with exit 143")
    func terminate() throws {
        let box = Sandbox()
        let marker = "444.\(getpid())"
        let file = box.write("rb.md", "# T\n\n```bash {id=slow}\nsleep \(marker)\n```\n\n```bash {id=never}\ntouch \(box.root)/ran\n```\n")
        let session = TerminalSession(["run", "--yes", "--state-dir", box.state, file])
        #expect(eventually { !processes(matching: "sleep \(marker)").isEmpty })
        kill(session.pid, SIGTERM)
        #expect(session.wait() == 143)
        #expect(processes(matching: "sleep \(marker)").isEmpty)
        #expect(!FileManager.default.fileExists(atPath: box.root + "/ran"))
        let records = try box.journal()
        let end = try #require(records.first { $0.type == .stepEnd })
        #expect(end.signal == "TERM")
        #expect(records.last?.choice == "pause")
        #expect(!records.contains { $0.type == .runEnd })
    }

    @Test("SIGHUP lets the running step finish, starts nothing more, exits 129")
    func hangup() throws {
        let box = Sandbox()
        let file = box.write("rb.md", "# T\n\n```bash {id=slow}\nsleep 1; touch \(box.root)/finished\n```\n\n```bash {id=never}\ntouch \(box.root)/ran\n```\n")
        let session = TerminalSession(["run", "--yes", "--state-dir", box.state, file])
        #expect(session.waitFor("step 1/2"))
        usleep(200_000)
        kill(session.pid, SIGHUP)
        #expect(session.wait() == 129)
        #expect(FileManager.default.fileExists(atPath: box.root + "/finished"))
        #expect(!FileManager.default.fileExists(atPath: box.root + "/ran"))
        let records = try box.journal()
        #expect(records.first { $0.type == .stepEnd }?.status == "ok")
        #expect(records.last?.reason?.contains("hangup") == true)
    }

    @Test("Ctrl-C at a prompt pauses the run and the runner dies by SIGINT (130)")
    func interruptAtPrompt() throws {
        let box = Sandbox()
        let file = box.write("rb.md", "# T\n\n```bash {id=a}\ntrue\n```\n")
        let session = TerminalSession(["run", "--state-dir", box.state, file])
        #expect(session.waitFor("[r]un"))
        session.send("\u{03}")
        #expect(session.wait() == 130)
        #expect(try box.journal().last?.choice == "pause")
    }
}
