import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Adopt command", .tags(.endToEnd))
struct AdoptTests {
    static let wiki = """
        ---
        title: Pod stuck
        weight: 10
        bookHidden: true
        ---
        # Pod stuck

        ```shell
        $ kubectl -n <namespace> get pods
        ```

        """

    @Test("without -o or --in-place it prints the diff and writes nothing")
    func preview() throws {
        let box = Sandbox()
        let file = box.write("wiki.md", Self.wiki)
        let r = runbook(["adopt", file])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("--- \(file)\n+++ \(file)\n@@ "))
        #expect(r.stdout.contains("\n-$ kubectl -n <namespace> get pods\n"))
        #expect(r.stdout.contains("\n+kubectl -n \"${NAMESPACE}\" get pods\n"))
        #expect(r.stdout.contains("+params:\n+  NAMESPACE:\n"))
        #expect(r.stderr.contains("nothing written"))
        #expect(try String(contentsOfFile: file, encoding: .utf8) == Self.wiki)
    }

    @Test("-o writes the adopted runbook, which passes check --warnings-as-errors; the input is untouched")
    func output() throws {
        let box = Sandbox()
        let file = box.write("wiki.md", Self.wiki)
        let out = box.root + "/runbook.md"
        let r = runbook(["adopt", file, "-o", out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("+++ \(out)\n"))
        #expect(try String(contentsOfFile: file, encoding: .utf8) == Self.wiki)
        let check = runbook(["check", "--warnings-as-errors", out])
        #expect(check.status == 0, "\(check.stderr)")
        let written = try String(contentsOfFile: out, encoding: .utf8)
        #expect(written.contains("```shell {id=pod-stuck}\nkubectl -n \"${NAMESPACE}\" get pods\n```"))
    }

    @Test("--in-place rewrites the file and keeps its permissions; a second run changes nothing")
    func inPlace() throws {
        let box = Sandbox()
        let file = box.write("wiki.md", Self.wiki)
        chmod(file, 0o640)
        #expect(runbook(["adopt", "--in-place", file]).status == 0)
        var info = stat()
        stat(file, &info)
        #expect(info.st_mode & 0o777 == 0o640)
        let adopted = try String(contentsOfFile: file, encoding: .utf8)
        #expect(adopted != Self.wiki)
        let again = runbook(["adopt", "--in-place", file])
        #expect(again.status == 0)
        #expect(again.stdout.isEmpty, "nothing left to change: \(again.stdout)")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == adopted)
        #expect(try FileManager.default.contentsOfDirectory(atPath: box.root) == ["wiki.md"], "no temporary file is left")
    }

    @Test("--in-place through a symlink rewrites the file it points to; the link stays a link")
    func inPlaceThroughSymlink() throws {
        let box = Sandbox()
        let real = box.write("real/wiki.md", Self.wiki)
        chmod(real, 0o640)
        let link = box.root + "/link.md"
        #expect(symlink("real/wiki.md", link) == 0)
        let r = runbook(["adopt", "--in-place", link])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == "real/wiki.md", "the link stays a link")
        let adopted = try String(contentsOfFile: real, encoding: .utf8)
        #expect(adopted.contains("```shell {id=pod-stuck}\nkubectl -n \"${NAMESPACE}\" get pods\n```"))
        var info = stat()
        stat(real, &info)
        #expect(info.st_mode & 0o777 == 0o640)
        #expect(try FileManager.default.contentsOfDirectory(atPath: box.root).sorted() == ["link.md", "real"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: box.root + "/real") == ["wiki.md"], "no temporary file is left")
    }

    @Test("a symlink to nothing, or to something that is not a regular file, is refused with exit 2 naming it")
    func symlinkNotToAFile() throws {
        let box = Sandbox()
        let source = box.write("wiki.md", Self.wiki)
        let dangling = box.root + "/dangling.md"
        #expect(symlink("missing.md", dangling) == 0)
        let r = runbook(["adopt", source, "-o", dangling])
        #expect(r.status == 2)
        #expect(r.stderr.contains("'\(dangling)' is a symlink to 'missing.md', which does not exist"), "\(r.stderr)")
        #expect(r.stderr.contains("nothing was written"))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dangling) == "missing.md")
        #expect(!FileManager.default.fileExists(atPath: box.root + "/missing.md"))
        let inPlace = runbook(["adopt", "--in-place", dangling])
        #expect(inPlace.status == 2)
        #expect(inPlace.stderr.contains("'\(dangling)' is a symlink to 'missing.md', which does not exist; '\(dangling)' is unchanged"), "\(inPlace.stderr)")
        #expect(!FileManager.default.fileExists(atPath: box.root + "/missing.md"))
        try FileManager.default.createDirectory(atPath: box.root + "/folder", withIntermediateDirectories: false)
        let toFolder = box.root + "/folder.md"
        #expect(symlink("folder", toFolder) == 0)
        let f = runbook(["adopt", source, "-o", toFolder])
        #expect(f.status == 2)
        let folder = try #require(realpath(box.root + "/folder", nil).map { String(cString: $0) })
        #expect(f.stderr.contains("'\(toFolder)' is a symlink to '\(folder)', which is not a regular file"), "\(f.stderr)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: toFolder) == "folder")
        #expect(try FileManager.default.contentsOfDirectory(atPath: box.root + "/folder").isEmpty)
    }

    @Test("--check exits 1 when a file would change, 0 when none would, and writes nothing")
    func checkMode() {
        let box = Sandbox()
        let wiki = box.write("wiki.md", Self.wiki)
        let clean = box.write("clean.md", "# Clean\n\n```bash {id=a}\necho hi\n```\n")
        let r = runbook(["adopt", "--check", wiki, clean])
        #expect(r.status == 1)
        #expect(r.stdout.contains("--- \(wiki)"))
        #expect(!r.stdout.contains("--- \(clean)"))
        #expect(runbook(["adopt", "--check", clean]).status == 0)
    }

    @Test("a file with errors is refused with exit 2 and its errors; bad usage exits 2")
    func errors() {
        let box = Sandbox()
        let broken = box.write("broken.md", "# B\n\n```bash\necho never closed\n")
        let r = runbook(["adopt", broken])
        #expect(r.status == 2)
        #expect(r.stderr.contains("\(broken):3:1: error: code block opened here is never closed"))
        #expect(r.stderr.contains("fix them first"))
        #expect(runbook(["adopt", broken, "-o", box.root + "/x.md", "--in-place"]).status == 2)
        #expect(runbook(["adopt", "--check", "--in-place", broken]).status == 2)
    }

    @Test("what adopt leaves is a note at its line on standard error")
    func notes() {
        let box = Sandbox()
        let file = box.write("mixed.md", "# M\n\n```bash {id=m}\n./prepare\n$ ./apply\n```\n")
        let r = runbook(["adopt", file])
        #expect(r.status == 0)
        #expect(r.stderr.contains("\(file):3:1: note: step 'm' mixes commands and other lines"))
    }

    @Test("show --json gives a transcript step its form, commands and placeholders")
    func showJSON() throws {
        let box = Sandbox()
        let file = box.write("wiki.md", Self.wiki)
        let r = runbook(["show", "--json", file])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(object["version"] as? Int == 2)
        let step = try #require((object["steps"] as? [[String: Any]])?.first)
        #expect(step["form"] as? String == "transcript")
        #expect((step["commands"] as? [[String: Any]])?.first?["text"] as? String == "kubectl -n <namespace> get pods")
        #expect((step["placeholders"] as? [[String: Any]])?.first?["name"] as? String == "NAMESPACE")
        #expect((object["placeholders"] as? [[String: Any]])?.first?["steps"] as? [String] == ["pod-stuck#1"])
    }
}
