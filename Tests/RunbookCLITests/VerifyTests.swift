import Foundation
import RunbookKit
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A finished run of a two-step runbook that prints something in each step; returns its folder.
private func finishedRun(_ box: Sandbox) throws -> String {
    let file = box.write("rb.md", "# T\n\n```bash {id=a}\necho one\n```\n\n```bash {id=b}\necho two\n```\n")
    let r = runbook(["run", "--yes", "--state-dir", box.state, file])
    #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
    return try #require(box.runDirs().last)
}

/// The journal's lines, without their LFs.
private func lines(_ journal: String) throws -> [String] {
    try String(contentsOfFile: journal, encoding: .utf8).split(separator: "\n").map(String.init)
}

@Suite("runbook verify", .tags(.endToEnd))
struct VerifyTests {
    @Test("changed output bytes fail verify (exit 4), naming the slice of output.log and the record that gives its sha256")
    func replacedOutput() throws {
        let box = Sandbox()
        let dir = try finishedRun(box)
        let records = try box.journal()
        let endA = try #require(records.first { $0.type == .stepEnd && $0.key == "a" })
        let endB = try #require(records.first { $0.type == .stepEnd && $0.key == "b" })
        let a = try #require(endA.output)
        let b = try #require(endB.output)
        #expect(a.file == "output.log" && a.offset == 0 && a.bytesKept == 4)
        #expect(b.file == "output.log" && b.offset == 4 && b.bytesKept == 4)
        // The log holds both steps' output, one after another; each step_start says where its output begins.
        #expect(try String(contentsOfFile: dir + "/output.log", encoding: .utf8) == "one\ntwo\n")
        #expect(records.filter { $0.type == .stepStart }.map(\.outputOffset) == [0, 4])
        // Same length, other bytes: only a's slice is wrong.
        let handle = try #require(FileHandle(forWritingAtPath: dir + "/output.log"))
        try handle.write(contentsOf: Data("ONE\n".utf8))
        try handle.close()
        let r = runbook(["verify", dir])
        #expect(r.status == 4)
        #expect(
            r.stderr.contains("output.log@0+4: changed (record \(endA.seq) gives sha256 \(a.sha256), the file's is \(SHA256.hex(Array("ONE\n".utf8))))"),
            "\(r.stderr)")
        #expect(!r.stderr.contains("output.log@4+4"), "\(r.stderr)")
        #expect(r.stdout.isEmpty)
        // Cut short: b's few bytes are in its step_end too (that is what made them durable), so
        // nothing is lost, and verify says where they are.
        #expect(b.inline == "dHdvCg==")
        #expect(truncate(dir + "/output.log", 6) == 0)
        let cut = runbook(["verify", dir])
        #expect(cut.status == 4, "a's slice is still wrong")
        #expect(!cut.stderr.contains("  output.log@4+4"), "no finding on b: \(cut.stderr)")
        #expect(cut.stderr.contains("note: output.log@4+4 is not in the file"), "\(cut.stderr)")
    }

    @Test("output too long for its step_end is synced in output.log, and a log cut short before it fails verify")
    func shortLog() throws {
        let box = Sandbox()
        let file = box.write("rb.md", "# T\n\n```bash {id=a}\necho one\n```\n\n```bash {id=big}\nhead -c 5000 /dev/zero | tr '\\0' x\n```\n")
        #expect(runbook(["run", "--yes", "--state-dir", box.state, file]).status == 0)
        let dir = try #require(box.runDirs().last)
        let end = try #require(try box.journal().first { $0.type == .stepEnd && $0.key == "big" })
        let output = try #require(end.output)
        #expect(output.inline == nil && output.offset == 4 && output.bytesKept == 5000)
        #expect(runbook(["verify", dir]).status == 0)
        #expect(truncate(dir + "/output.log", 4 + 4999) == 0)
        let r = runbook(["verify", dir])
        #expect(r.status == 4)
        #expect(r.stderr.contains("output.log@4+5000: the file ends before these bytes do (record \(end.seq) gives sha256 \(output.sha256))"), "\(r.stderr)")
    }

    @Test("a deleted runbook copy fails verify, naming runbook.md and run_start")
    func deletedRunbookCopy() throws {
        let box = Sandbox()
        let dir = try finishedRun(box)
        try FileManager.default.removeItem(atPath: dir + "/runbook.md")
        let r = runbook(["verify", dir])
        #expect(r.status == 4)
        #expect(r.stderr.contains("runbook.md: missing (record 0 gives sha256"), "\(r.stderr)")
    }

    @Test("output bytes or an output file no record names fail verify")
    func unreferencedOutput() throws {
        let box = Sandbox()
        let dir = try finishedRun(box)
        let handle = try #require(FileHandle(forWritingAtPath: dir + "/output.log"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("planted\n".utf8))
        try handle.close()
        try FileManager.default.createDirectory(atPath: dir + "/out", withIntermediateDirectories: false)
        _ = FileManager.default.createFile(atPath: dir + "/out/99.log", contents: Data("planted\n".utf8))
        let r = runbook(["verify", dir])
        #expect(r.status == 4)
        #expect(r.stderr.contains("output.log@8+8: not named by any record of the journal"), "\(r.stderr)")
        #expect(r.stderr.contains("out/99.log: not named by any record of the journal"), "\(r.stderr)")
    }

    @Test("an untouched run verifies with its files, by run id, folder and bare journal path")
    func untouchedRun() throws {
        let box = Sandbox()
        let dir = try finishedRun(box)
        for target in [(dir as NSString).lastPathComponent, dir, dir + "/journal.jsonl"] {
            let r = runbook(["verify", "--state-dir", box.state, target])
            #expect(r.status == 0, "\(target): \(r.stderr)")
            #expect(r.stdout.contains("files: 3 of 3 named by the journal match their sha256"), "\(r.stdout)")
        }
        // A journal copied away from its run folder: its files are not there, unless only the chain is asked for.
        let copy = box.root + "/copy.jsonl"
        try FileManager.default.copyItem(atPath: dir + "/journal.jsonl", toPath: copy)
        #expect(runbook(["verify", copy]).status == 4)
        #expect(runbook(["verify", "--chain-only", copy]).status == 0)
    }

    @Test("--json lists every finding with snake_case keys")
    func jsonFindings() throws {
        let box = Sandbox()
        let dir = try finishedRun(box)
        try FileManager.default.removeItem(atPath: dir + "/runbook.md")
        let handle = try #require(FileHandle(forWritingAtPath: dir + "/output.log"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("planted\n".utf8))
        try handle.close()
        let r = runbook(["verify", "--json", dir])
        #expect(r.status == 4)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(object["ok"] as? Bool == false)
        #expect(object["files_checked"] as? Int == 3)
        let findings = try #require(object["findings"] as? [[String: Any]])
        #expect(findings.count == 2)
        let missing = try #require(findings.first { $0["kind"] as? String == "missing" })
        #expect(missing["path"] as? String == "runbook.md")
        #expect(missing["seq"] as? Int == 0)
        #expect((missing["expected_sha256"] as? String)?.count == 64)
        #expect(
            findings.contains {
                $0["kind"] as? String == "unreferenced" && $0["path"] as? String == "output.log" && $0["offset"] as? Int == 8
                    && $0["length"] as? Int == 8
            }, "\(findings)")
    }

    @Test("on a changed line, the verified part and its head end before the changed record")
    func prefixEndsBeforeTamperedRecord() throws {
        let box = Sandbox()
        let dir = try finishedRun(box)
        let journal = dir + "/journal.jsonl"
        var text = try lines(journal)
        // Line 4 (seq 3) is the step_end of `a`: change what it says.
        #expect(text[3].contains("\"type\":\"step_end\""))
        let untouchedHead = SHA256.hex(Array(text[2].utf8))
        let tamperedHash = SHA256.hex(Array(text[3].replacingOccurrences(of: "\"exit_code\":0", with: "\"exit_code\":1").utf8))
        text[3] = text[3].replacingOccurrences(of: "\"exit_code\":0", with: "\"exit_code\":1")
        try (text.joined(separator: "\n") + "\n").write(toFile: journal, atomically: false, encoding: .utf8)
        let r = runbook(["verify", journal])
        #expect(r.status == 4)
        #expect(r.stderr.contains("prev mismatch at seq 4"), "\(r.stderr)")
        #expect(r.stderr.contains("the first 3 records verify; head of that part: \(untouchedHead)"), "\(r.stderr)")
        #expect(!r.stderr.contains(tamperedHash))
        let json = runbook(["verify", "--json", journal])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["records"] as? Int == 3)
        #expect(object["head"] as? String == untouchedHead)
    }

    @Test("the partial output of an attempt cut short by a crash is noted, not counted against the run")
    func partialOutputAfterCrash() throws {
        let box = Sandbox()
        let file = box.write("rb.md", "# T\n\n```bash {id=a}\necho partial\n```\n")
        let r = runbook(["run", "--yes", "--state-dir", box.state, file], env: ["RUNBOOK_TEST_CRASH_AT": "after_output_sync"])
        #expect(r.status == 128 + SIGKILL)
        let dir = try #require(box.runDirs().last)
        let v = runbook(["verify", dir])
        #expect(v.status == 0, "\(v.stderr)")
        #expect(v.stdout.contains("output.log@0+8 is the partial output of an attempt whose outcome is unknown"), "\(v.stdout)")
    }

    @Test("the copy of a changed runbook a resume keeps is checked too")
    func resumeCopyChecked() throws {
        let box = Sandbox()
        let file = box.write("rb.md", "# T\n\nFirst.\n\n```bash {id=a}\necho one\n```\n\n```bash {id=b}\necho two\n```\n")
        #expect(runbook(["run", "--state-dir", box.state, file], stdin: "r\nq\n").status == 5)
        box.write("rb.md", "# T\n\nFirst, reworded.\n\n```bash {id=a}\necho one\n```\n\n```bash {id=b}\necho two\n```\n")
        let resumed = runbook(["resume", "--yes", "--state-dir", box.state, file])
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        let dir = try #require(box.runDirs().last)
        let copies = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("runbook-") }
        let copy = try #require(copies.first, "no runbook copy in \(dir)")
        #expect(runbook(["verify", dir]).stdout.contains("files: 4 of 4"))
        try "changed\n".write(toFile: dir + "/" + copy, atomically: false, encoding: .utf8)
        let r = runbook(["verify", dir])
        #expect(r.status == 4)
        #expect(r.stderr.contains("\(copy): changed"), "\(r.stderr)")
    }
}
