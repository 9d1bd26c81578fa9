import Foundation
import Testing

@testable import RunbookKit

/// libcmark parses a long runbook in pieces, each cut where a top-level block starts, so that its
/// tree of the whole file is never in memory at once. The runbook must come out the same as from
/// one parse of the whole file, whatever the piece size: these tests parse with pieces as small as
/// one line and compare everything `show --json` prints and every finding.
@Suite("Parsing in pieces")
struct PieceParseTests {
    /// Piece sizes that cut everywhere: every line, a few lines, a few blocks, and the default.
    static let pieceSizes = [1, 7, 40, 300, 4096, RunbookParser.pieceBytes]

    /// What a person gets to see of a parsed runbook: `show --json` and the findings.
    private func seen(_ runbook: Runbook) throws -> String {
        try encodeJSON(PlanDocument(runbook)) + "\n" + runbook.diagnostics.map(\.rendered).joined(separator: "\n")
    }

    private func expectSame(_ bytes: [UInt8], name: String) throws {
        let whole = try seen(RunbookParser.parse(bytes: bytes, path: name, pieceBytes: Int.max))
        for size in Self.pieceSizes {
            let pieces = try seen(RunbookParser.parse(bytes: bytes, path: name, pieceBytes: size))
            #expect(pieces == whole, "\(name) parsed in pieces of \(size) bytes differs from one parse of the whole file")
        }
    }

    @Test("the shipped runbooks, the docs and the fixtures parse the same in pieces of any size")
    func repositoryMarkdown() throws {
        var files: [String] = []
        for folder in ["runbooks", "docs", "Tests/RunbookKitTests/Fixtures", "examples"] {
            let root = repositoryRoot + "/" + folder
            let names = try #require(FileManager.default.enumerator(atPath: root)).compactMap { $0 as? String }
            files += names.filter { $0.hasSuffix(".md") }.map { root + "/" + $0 }
        }
        #expect(files.count >= 15, "found only \(files)")
        for file in files {
            try expectSame([UInt8](try Data(contentsOf: URL(fileURLWithPath: file))), name: file)
        }
    }

    @Test("blocks that span a cut: lists of tasks holding code, quotes, lazy lines, setext headings, HTML, unclosed fences")
    func blocksAcrossCuts() throws {
        let text = """
            ---
            title: Cuts
            ---
            # Deploy

            - [ ] Build the image
              ```bash {id=build}
              docker build -t app .
              ```
            - [x] Tell the channel
            - [ ] Push it

              ```sh {id=push}
              docker push app
              ```

            > **Warning**: the database
            is locked while this runs (a lazy line).

            Setext heading
            ==============

            <div>
            ```sh
            not a step: inside an HTML block
            ```

            </div>

                indented code, a reference

            1. one
            2. two

               ```bash {name=nested}
               echo nested
               ```

            ## Last

            ```bash {id=unclosed}
            echo never closed

            """
        try expectSame(Array(text.utf8), name: "cuts.md")
        let runbook = RunbookParser.parse(bytes: Array(text.utf8), path: "cuts.md", pieceBytes: 1)
        #expect(runbook.steps.map(\.key) == ["build", "deploy#2", "push", "setext-heading/nested", "unclosed"])
        #expect(runbook.steps.map(\.line) == [7, 10, 13, 35, 41])
    }

    @Test("a link reference defined after its use: the whole file is parsed at once, so the heading still reads as a link")
    func linkReferences() throws {
        var text = "# Deploy [the app][app]\n\n"
        for n in 1...50 { text += "```bash {id=s\(n)}\necho \(n)\n```\n\n" }
        text += "[app]: https://example.com/app\n"
        #expect(CommonMarkConverter.Pieces.mayDefineLinkReferences(Array(text.utf8)[...]))
        try expectSame(Array(text.utf8), name: "refs.md")
        let runbook = RunbookParser.parse(bytes: Array(text.utf8), path: "refs.md", pieceBytes: 64)
        #expect(runbook.sections.first?.title == "Deploy the app")
    }

    @Test("a long file is cut into pieces that each end at a line end, and together are the whole file")
    func piecesCoverTheText() throws {
        var text = ""
        for n in 1...200 { text += "```bash {id=s\(n)}\necho \(n)\n```\n\n" }
        let bytes = Array(text.utf8)
        var pieces = CommonMarkConverter.Pieces(text: bytes[...], size: 100, lineOffset: 3)
        var covered = 0
        var count = 0
        while let piece = pieces.next() {
            count += 1
            #expect(piece.bytes.startIndex == covered, "piece \(count) starts at \(piece.bytes.startIndex), not at \(covered)")
            #expect(piece.bytes.last == 0x0A, "piece \(count) does not end at a line end")
            #expect(piece.isLast || (100..<130).contains(piece.bytes.count), "piece \(count) is \(piece.bytes.count) bytes")
            #expect(piece.lineOffset == 3 + bytes[..<covered].filter { $0 == 0x0A }.count)
            covered = piece.bytes.endIndex
            if !piece.isLast { pieces.skip() }
        }
        #expect(covered == bytes.count)
        #expect(count > bytes.count / 130, "\(count) pieces")
    }
}
