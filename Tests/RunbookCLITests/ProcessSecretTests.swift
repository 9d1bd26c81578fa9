import Foundation
import RunbookKit
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Every byte of every regular file under `root` (to search for leaks).
private func allBytes(under root: String) -> [UInt8] {
    var out: [UInt8] = []
    guard let walker = FileManager.default.enumerator(atPath: root) else { return out }
    for case let relative as String in walker {
        let path = root + "/" + relative
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, let data = FileManager.default.contents(atPath: path) else { continue }
        out.append(contentsOf: data)
    }
    return out
}

/// Every line of every journal under the sandbox's state folder.
private func journalLines(_ box: Sandbox) -> [Substring] {
    box.runDirs().flatMap { dir in
        (try? String(contentsOfFile: dir + "/journal.jsonl", encoding: .utf8))?.split(separator: "\n") ?? []
    }
}

/// A private `$TMPDIR` inside the sandbox, so scratch folders can be looked at (and no other
/// test's are touched).
private func privateTemp(_ box: Sandbox) -> String {
    let tmp = box.root + "/tmp"
    try? FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
    return tmp
}

@Suite("Processes and secrets", .tags(.endToEnd, .slow))
struct ProcessSecretTests {
    @Test(
        "a grandchild started in a new session by a subshell that outlives the step is killed and recorded",
        arguments: ["", " >/dev/null 2>&1"])
    func grandchildInNewSession(redirect: String) throws {
        let box = Sandbox()
        let marker = "309.\(getpid())\(redirect.isEmpty ? 1 : 2)"
        let other = "100.\(getpid())\(redirect.isEmpty ? 1 : 2)"
        let file = box.write(
            "rb.md",
            """
            # T

            ```bash {id=bg}
            ( setsid sleep \(marker)\(redirect) & sleep \(other) ) & sleep 0.3; exit 0
            ```
            """)
        let r = runbook(["run", "--yes", "--state-dir", box.state, file], env: ["TMPDIR": privateTemp(box)], timeout: 30)
        defer { for pid in processes(matching: marker) + processes(matching: other) { kill(pid, SIGKILL) } }
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(eventually(timeout: 3) { processes(matching: "sleep \(marker)").isEmpty }, "sleep \(marker) survived the run")
        #expect(eventually(timeout: 3) { processes(matching: "sleep \(other)").isEmpty })
        let end = try #require(try box.journal().first { $0.type == .stepEnd })
        let leftovers = end.leftovers ?? []
        // The subshell, its sleep and the grandchild in its own session.
        #expect(leftovers.filter { $0.command == "sleep" }.count == 2, "\(leftovers)")
        #expect(leftovers.contains { $0.command == "bash" }, "\(leftovers)")
    }

    @Test("a secret exported by a step never reaches a file, even when the runner is killed right after the step")
    func exportedSecretNeverOnDisk() throws {
        let box = Sandbox()
        let tmp = privateTemp(box)
        let secret = "Zq8-s3cret-\(getpid())-vX"
        let file = box.write(
            "rb.md",
            """
            ---
            params:
              API_KEY:
                secret: true
            ---
            # T

            ```bash {id=copy}
            export TOKEN_COPY="$API_KEY"
            echo copied
            ```

            ```bash {id=after}
            echo "copy has ${#TOKEN_COPY} chars"
            ```
            """)
        let env = ["API_KEY": secret, "TMPDIR": tmp]
        let crashed = runbook(["run", "--yes", "--state-dir", box.state, file], env: env.merging(["RUNBOOK_TEST_CRASH_AT": "after_output_sync"]) { $1 })
        #expect(crashed.status == 128 + SIGKILL)
        let inTemp = contains(allBytes(under: tmp), secret)
        let inState = contains(box.allStateBytes(), secret)
        #expect(!inTemp, "the secret is in a file under TMPDIR")
        #expect(!inState, "the secret is in a file under the state folder")
        // And a whole run (of a copy, so the crashed run is not in the way) carries it without writing it anywhere.
        let copy = box.write("copy.md", try String(contentsOfFile: file, encoding: .utf8))
        let r = runbook(["run", "--yes", "--state-dir", box.state, copy], env: env)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("copy has \(secret.count) chars"))
        let leaked = contains(allBytes(under: tmp) + box.allStateBytes(), secret)
        #expect(!leaked, "the secret is in a file after a whole run")
    }

    @Test("a runner killed mid-step leaves no secret in its scratch folder or state folder")
    func killedMidStep() throws {
        let box = Sandbox()
        let tmp = privateTemp(box)
        let secret = "Kk9-another-secret-\(getpid())"
        let marker = "47.\(getpid())"
        let file = box.write(
            "rb.md",
            """
            ---
            params:
              API_KEY:
                secret: true
            ---
            # T

            ```bash {id=copy}
            export TOKEN_COPY="x-$API_KEY"
            ```

            ```bash {id=wait}
            export OTHER="$TOKEN_COPY"; echo waiting; sleep \(marker)
            ```
            """)
        let session = TerminalSession(["run", "--yes", "--state-dir", box.state, file], env: ["API_KEY": secret, "TMPDIR": tmp])
        defer { for pid in processes(matching: marker) { kill(pid, SIGKILL) } }
        #expect(session.waitFor("waiting"))
        kill(session.pid, SIGKILL)
        _ = session.wait()
        let leaked = contains(allBytes(under: tmp) + box.allStateBytes(), secret)
        #expect(!leaked, "the secret is in a file after the runner was killed")
    }

    @Test("scratch files are 0600 and the scratch folder 0700 under umask 000")
    func scratchModes() throws {
        let box = Sandbox()
        let tmp = privateTemp(box)
        let file = box.write(
            "rb.md",
            """
            # T

            ```bash {id=set}
            export A=1
            ```

            ```bash {id=look}
            export B=2
            d=$(dirname "$0"); stat -c 'mode %a %n' "$d" "$d"/*
            ```
            """)
        let argv = ["/bin/sh", "-c", "umask 000; exec \"$0\" \"$@\"", runbookBinary, "run", "--yes", "--state-dir", box.state, file]
        let environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": "/tmp", "USER": "tester", "NO_COLOR": "1",
            "TMPDIR": tmp,
        ]
        let r = spawnAndWait(argv, stdin: nil, environment: environment, cwd: nil, timeout: 30)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let modes = r.stdout.split(separator: "\n").filter { $0.hasPrefix("mode ") }
        #expect(modes.count >= 3, "\(r.stdout)")
        #expect(modes.first?.hasPrefix("mode 700 ") == true, "\(modes)")
        for line in modes.dropFirst() { #expect(line.hasPrefix("mode 600 "), "\(line)") }
        #expect(!r.stdout.contains(".env"), "a file of exported variables is on disk: \(modes)")
    }

    @Test("an exported value over 32 KiB fails the step that exported it; the next step never gets it; no journal line over 64 KiB")
    func exportCap() throws {
        let box = Sandbox()
        let file = box.write(
            "rb.md",
            """
            # T

            ```bash {id=big on-failure=continue}
            export SMALL=ok
            export BIG="$(head -c 204800 /dev/zero | tr '\\0' x)"
            ```

            ```bash {id=next}
            echo "big has ${#BIG} bytes, small is '${SMALL:-}'"
            ```
            """)
        let r = runbook(["run", "--yes", "--state-dir", box.state, file], env: ["TMPDIR": privateTemp(box)])
        #expect(r.status == 1, "\(r.stdout.suffix(2000))\(r.stderr.suffix(2000))")
        let ends = try box.journal().filter { $0.type == .stepEnd }
        let big = try #require(ends.first { $0.key == "big" })
        #expect(big.status == "failed")
        #expect(big.exitCode == 0)
        let error = big.error ?? ""
        #expect(error.contains("BIG") && error.contains("204800 bytes") && error.contains("32 KiB"), "\(error)")
        #expect(big.exports == nil)
        let next = try #require(ends.first { $0.key == "next" })
        #expect(next.status == "ok")
        #expect(r.stdout.contains("big has 0 bytes, small is ''"))
        #expect(r.stdout.contains("exported variable BIG is 204800 bytes"))
        let longest = journalLines(box).map(\.utf8.count).max() ?? 0
        #expect(longest <= 64 * 1024)
    }

    @Test("exports just under the cap are carried and recorded, each line under 64 KiB")
    func exportsUnderCap() throws {
        let box = Sandbox()
        let file = box.write(
            "rb.md",
            """
            # T

            ```bash {id=fill}
            export ONE="$(head -c 30000 /dev/zero | tr '\\0' a)"
            ```

            ```bash {id=use}
            echo "one has ${#ONE} bytes"
            ```
            """)
        let r = runbook(["run", "--yes", "--state-dir", box.state, file], env: ["TMPDIR": privateTemp(box)])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("one has 30000 bytes"))
        let longest = journalLines(box).map(\.utf8.count).max() ?? 0
        #expect(longest <= 64 * 1024)
    }

    @Test("the scratch folder of a run whose runner was killed is removed when the next run starts")
    func staleScratchRemoved() throws {
        let box = Sandbox()
        let tmp = privateTemp(box)
        let file = box.write("rb.md", "# T\n\n```bash {id=a}\necho hi\n```\n")
        let crashed = runbook(
            ["run", "--yes", "--state-dir", box.state, file], env: ["TMPDIR": tmp, "RUNBOOK_TEST_CRASH_AT": "after_step_start_sync"])
        #expect(crashed.status == 128 + SIGKILL)
        let left = try FileManager.default.contentsOfDirectory(atPath: tmp).filter { $0.hasPrefix("runbook-") }
        #expect(left.count == 1, "\(left)")
        let other = box.write("other.md", "# O\n\n```bash {id=b}\nls \"$TMPDIR\"\n```\n")
        let r = runbook(["run", "--yes", "--state-dir", box.state, other], env: ["TMPDIR": tmp])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        for name in left { #expect(!r.stdout.contains(name), "the dead run's scratch folder \(name) is still there") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp).filter { $0.hasPrefix("runbook-") }.isEmpty)
    }
}
