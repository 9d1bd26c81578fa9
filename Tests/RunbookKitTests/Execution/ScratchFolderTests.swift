import Foundation
import Testing

@testable import RunbookKit

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Scratch folders", .temporaryStateDirectory)
struct ScratchFolderTests {
    private func mode(_ path: String) -> Int {
        var info = stat()
        _ = lstat(path, &info)
        return Int(info.st_mode & 0o777)
    }

    @Test("a run's folder is private, locked while it lives, and removed with its lock")
    func liveFolderKept() throws {
        let tmp = try #require(TemporaryStateDirectory.current)
        let path = try ScratchFolder.create(runId: "20261201T090000Z-0000beef", environment: ["TMPDIR": tmp + "/"])
        #expect(path.hasPrefix(tmp + "/runbook-20261201T090000Z-0000beef-"))
        #expect(ScratchFolder.isScratchName((path as NSString).lastPathComponent))
        #expect(mode(path) == 0o700)
        // Another start does not take a live run's folder for a dead one's.
        #expect(ScratchFolder.removeStale(in: tmp).isEmpty)
        #expect(FileManager.default.fileExists(atPath: path))
        ScratchFolder.remove(path)
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("folders of dead runs are removed; nothing else in TMPDIR is touched")
    func deadFoldersRemoved() throws {
        let tmp = try #require(TemporaryStateDirectory.current)
        let dead = tmp + "/runbook-20261130T235959Z-00c0ffee-Ab3dEf"
        try FileManager.default.createDirectory(atPath: dead + "/inner", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: dead + "/step.sh", contents: Data("echo hi\n".utf8))
        let others = ["runbook-test-Ab3dEf", "runbook-20261130T235959Z-00c0ffee", "runbook-notes", "runbook-20261130T235959Z-00C0FFEE-Ab3dEf"]
        for name in others { try FileManager.default.createDirectory(atPath: tmp + "/" + name, withIntermediateDirectories: true) }
        let file = tmp + "/runbook-20261130T235959Z-00c0ffee-zzzzzz"
        _ = FileManager.default.createFile(atPath: file, contents: Data())
        #expect(ScratchFolder.removeStale(in: tmp) == [dead])
        #expect(!FileManager.default.fileExists(atPath: dead))
        for name in others { #expect(FileManager.default.fileExists(atPath: tmp + "/" + name), "\(name) was removed") }
        #expect(FileManager.default.fileExists(atPath: file))
    }

    @Test("create removes dead runs' folders first")
    func createCleansUp() throws {
        let tmp = try #require(TemporaryStateDirectory.current)
        let dead = tmp + "/runbook-20261130T235959Z-00c0ffee-Ab3dEf"
        try FileManager.default.createDirectory(atPath: dead, withIntermediateDirectories: true)
        let path = try ScratchFolder.create(runId: "20261201T090000Z-0000beef", environment: ["TMPDIR": tmp])
        defer { ScratchFolder.remove(path) }
        #expect(!FileManager.default.fileExists(atPath: dead))
    }

    @Test("TMPDIR: trailing slashes dropped; unset or relative means /tmp")
    func temporaryDirectory() {
        #expect(ScratchFolder.temporaryDirectory(environment: ["TMPDIR": "/var/tmp//"]) == "/var/tmp")
        #expect(ScratchFolder.temporaryDirectory(environment: [:]) == "/tmp")
        #expect(ScratchFolder.temporaryDirectory(environment: ["TMPDIR": "tmp"]) == "/tmp")
    }
}
