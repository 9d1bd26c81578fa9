import Foundation
import RunbookKit
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The run folder `Fixtures/format1-run/<id>` was written by runbook before journal format 2
/// (commit 28e77a8): a three-step run paused after its first step, the output in `out/1.log`.
/// Its runbook was `/tmp/runbook-format1-fixture/rb.md`, which the journal names.
private let format1RunId = "20261202T015711Z-a9738fa4"
private let format1RunbookPath = "/tmp/runbook-format1-fixture/rb.md"

/// Copies the format 1 run into the sandbox's state folder and puts its runbook back where the
/// journal says it was; returns the run folder.
private func installFormat1Run(_ box: Sandbox) throws -> String {
    let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/format1-run/\(format1RunId)").path
    let runs = box.state + "/runs"
    try FileManager.default.createDirectory(atPath: runs, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    try FileManager.default.createDirectory(atPath: box.state + "/locks", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    chmod(box.state, 0o700)
    let dir = runs + "/" + format1RunId
    try FileManager.default.copyItem(atPath: fixture, toPath: dir)
    try FileManager.default.createDirectory(atPath: dir + "/code", withIntermediateDirectories: true)
    for path in [dir, dir + "/out", dir + "/code"] { chmod(path, 0o700) }
    for file in ["journal.jsonl", "runbook.md", "out/1.log"] { chmod(dir + "/" + file, 0o600) }
    // The runbook is unchanged since the run started: the copy in the run folder is its bytes.
    try FileManager.default.createDirectory(atPath: "/tmp/runbook-format1-fixture", withIntermediateDirectories: true)
    let copy = try Data(contentsOf: URL(fileURLWithPath: dir + "/runbook.md"))
    if (try? Data(contentsOf: URL(fileURLWithPath: format1RunbookPath))) != copy { try copy.write(to: URL(fileURLWithPath: format1RunbookPath)) }
    return dir
}

@Suite("runs written in journal format 1", .tags(.endToEnd))
struct FormatCompatibilityTests {
    @Test("a format 1 run verifies, exports and status reads it; resumed, it goes on in format 2 and still verifies whole")
    func format1RunReadAndResumed() throws {
        let box = Sandbox()
        let dir = try installFormat1Run(box)
        let before = try box.journal()
        #expect(before.allSatisfy { $0.v == 1 })
        let verify = runbook(["verify", "--state-dir", box.state, format1RunId])
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(verify.stdout.contains("files: 2 of 2 named by the journal match their sha256"), "\(verify.stdout)")
        let export = runbook(["export", "--state-dir", box.state, format1RunId, "--format", "markdown"])
        #expect(export.stdout.contains("first step, format 1"), "\(export.stdout)\(export.stderr)")
        #expect(export.stdout.contains("out/1.log"), "\(export.stdout)")
        let status = runbook(["status", "--state-dir", box.state, format1RunId])
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains("first") && status.stdout.contains("paused"), "\(status.stdout)")

        let resume = runbook(["resume", "--yes", "--state-dir", box.state, format1RunId])
        #expect(resume.status == 0, "\(resume.stdout)\(resume.stderr)")
        let after = try box.journal()
        #expect(after.prefix(before.count).elementsEqual(before))
        let added = after.dropFirst(before.count)
        #expect(!added.isEmpty && added.allSatisfy { $0.v == JournalRecord.formatVersion })
        let second = try #require(added.first { $0.type == .stepEnd && $0.key == "second" }?.output)
        #expect(second.file == "output.log" && second.offset == 0)
        #expect(try String(contentsOfFile: dir + "/output.log", encoding: .utf8) == "second step\nthird step\n")
        #expect(try String(contentsOfFile: dir + "/out/1.log", encoding: .utf8) == "first step, format 1\n")
        #expect(after.last?.type == .runEnd && after.last?.status == "completed")

        let again = runbook(["verify", "--state-dir", box.state, format1RunId])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("files: 4 of 4 named by the journal match their sha256"), "\(again.stdout)")
        let full = runbook(["export", "--state-dir", box.state, format1RunId, "--format", "markdown"])
        #expect(full.status == 0, "\(full.stderr)")
        for text in ["first step, format 1", "second step", "third step", "out/1.log", "output.log@0+12"] {
            #expect(full.stdout.contains(text), "\(text): \(full.stdout)")
        }
    }
}
