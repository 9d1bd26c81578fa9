import Foundation
import Testing

@testable import RunbookKit

/// What the output log keeps of one attempt, whatever pieces the step's bytes come in: the first
/// `head` bytes, a note of how many were dropped, the last `tail` bytes, all after masking.
@Suite("The output recorder", .temporaryStateDirectory)
struct OutputRecorderTests {
    private static let head = 1000
    private static let tail = 700

    /// Records `stream` cut into pieces of `sizes` (repeated), and returns the slice of the log.
    private func record(_ stream: [UInt8], sizes: [Int], secrets: [String]) throws -> (kept: [UInt8], ref: OutputRef) {
        let folder = try #require(TemporaryStateDirectory.current) + "/run-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let log = try OutputLog(folder: folder)
        let recorder = OutputRecorder(log: log, masker: SecretMasker(secrets: secrets), headLimit: Self.head, tailLimit: Self.tail)
        var at = 0
        var turn = 0
        while at < stream.count {
            let size = min(sizes[turn % sizes.count], stream.count - at)
            stream[at..<(at + size)].withUnsafeBytes { recorder.record($0) }
            at += size
            turn += 1
        }
        let ref = try recorder.finish()
        let file = try #require(FileManager.default.contents(atPath: folder + "/" + OutputLog.name))
        return (Array(file), ref)
    }

    /// What the log must hold of `masked` (the stream with its secrets replaced).
    private func expected(_ masked: [UInt8]) -> [UInt8] {
        guard masked.count > Self.head + Self.tail else { return masked }
        let dropped = masked.count - Self.head - Self.tail
        let note = "\n[runbook: \(dropped) bytes of output dropped here; the record keeps the first \(Self.head) and the last \(Self.tail) bytes]\n"
        return Array(masked.prefix(Self.head)) + Array(note.utf8) + Array(masked.suffix(Self.tail))
    }

    /// Where `kept` first differs from `wanted` (a length that differs counts at the shorter's
    /// end), so a failure names an offset instead of printing both logs.
    private func firstDifference(_ kept: [UInt8], _ wanted: [UInt8]) -> String? {
        if let at = (0..<min(kept.count, wanted.count)).first(where: { kept[$0] != wanted[$0] }) { return "byte \(at) of \(wanted.count)" }
        return kept.count == wanted.count ? nil : "\(kept.count) bytes kept, \(wanted.count) wanted"
    }

    /// Bytes that differ from place to place, so a piece kept at the wrong offset shows.
    private func stream(_ count: Int) -> [UInt8] {
        var state: UInt32 = 12345
        return (0..<count).map { _ in
            state = state &* 1_103_515_245 &+ 12345
            return UInt8(truncatingIfNeeded: state >> 16)
        }
    }

    @Test(
        "head, drop note and tail are exact for every way the bytes arrive",
        arguments: [[1], [7], [699], [700], [701], [1000], [1001], [64 * 1024], [3, 1700, 1, 250]])
    func headAndTail(sizes: [Int]) throws {
        for count in [0, 5, 1000, 1700, 1701, 2399, 5000] {
            let bytes = stream(count)
            let (kept, ref) = try record(bytes, sizes: sizes, secrets: [])
            #expect(firstDifference(kept, expected(bytes)) == nil, "\(count) bytes in pieces of \(sizes)")
            #expect(ref.bytesTotal == count)
            #expect(ref.bytesDropped == max(0, count - Self.head - Self.tail))
            #expect(ref.truncated == (count > Self.head + Self.tail))
            #expect(ref.sha256 == SHA256.hex(kept))
        }
    }

    @Test("a secret is masked in the head and the tail however the pieces cut it, and counted in the middle too")
    func maskedAcrossPieces() throws {
        let secret = "hunter2-hunter2"
        var text = "start " + secret + " "
        while text.utf8.count < 1500 { text += "filler \(text.utf8.count) " }
        text += secret + " middle "
        while text.utf8.count < 3000 { text += "filler \(text.utf8.count) " }
        text += secret + " end\n"
        let bytes = Array(text.utf8)
        let masked = Array(text.replacingOccurrences(of: secret, with: "[masked]").utf8)
        for sizes in [[1], [5], [13], [64 * 1024], [2, 999, 4]] {
            let (kept, ref) = try record(bytes, sizes: sizes, secrets: [secret])
            #expect(firstDifference(kept, expected(masked)) == nil, "pieces of \(sizes)")
            #expect(ref.masked == 3)
            #expect(ref.bytesTotal == bytes.count)
            #expect(!String(decoding: kept, as: UTF8.self).contains(secret))
        }
    }
}
