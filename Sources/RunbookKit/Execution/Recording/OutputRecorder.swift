#if canImport(Glibc)
    import Glibc
#endif

/// Records one attempt's output into the run's output log with bounded memory: the first
/// `headLimit` bytes and the last `tailLimit` bytes (after masking), with a marker saying how
/// many bytes were dropped between them. The attempt's bytes are one slice of the log, from
/// `offset`.
final class OutputRecorder {
    private let log: OutputLog
    /// Where the attempt's bytes begin in the log.
    let offset: Int
    private let masker: SecretMasker
    private let headLimit: Int
    private let tailLimit: Int
    private var hasher = SHA256Hasher()
    private var headWritten = 0
    private var tail: [UInt8]
    private var tailStart = 0
    private var tailCount = 0
    private var dropped = 0
    private var fileBytes = 0
    /// The recorded bytes while there are at most `OutputRef.inlineLimit` of them (they go in `step_end`).
    private var small: [UInt8]? = []
    private(set) var bytesTotal = 0
    private var writeError: String?

    init(log: OutputLog, masker: SecretMasker, headLimit: Int, tailLimit: Int) {
        self.log = log
        self.offset = log.size
        self.masker = masker
        self.headLimit = headLimit
        self.tailLimit = tailLimit
        self.tail = []  // allocated when output first goes past the head
    }

    /// Takes raw bytes from the step. With no secrets to mask they are kept as they come, not
    /// copied first (200 MB of output is then copied once, into the tail, not twice).
    func record(_ chunk: UnsafeRawBufferPointer) {
        bytesTotal += chunk.count
        if masker.isEmpty {
            keep(chunk)
        } else {
            masker.process(chunk).withUnsafeBytes { keep($0) }
        }
    }

    private func keep(_ bytes: UnsafeRawBufferPointer) {
        var rest = bytes[...]
        if headWritten < headLimit {
            let take = min(headLimit - headWritten, rest.count)
            writeToFile(UnsafeRawBufferPointer(rebasing: rest.prefix(take)))
            headWritten += take
            rest = rest.dropFirst(take)
        }
        guard !rest.isEmpty else { return }
        guard tailLimit > 0 else {
            dropped += rest.count
            return
        }
        if tail.isEmpty { tail = [UInt8](repeating: 0, count: tailLimit) }
        if rest.count >= tailLimit {
            // The new bytes alone fill the tail: everything older is dropped.
            dropped += tailCount + rest.count - tailLimit
            copyIntoTail(UnsafeRawBufferPointer(rebasing: rest.suffix(tailLimit)), at: 0)
            tailStart = 0
            tailCount = tailLimit
            return
        }
        // Make room, then copy in at most two pieces (the ring wraps once at most).
        let overflow = max(0, tailCount + rest.count - tailLimit)
        if overflow > 0 {
            tailStart = (tailStart + overflow) % tailLimit
            tailCount -= overflow
            dropped += overflow
        }
        var writeAt = (tailStart + tailCount) % tailLimit
        var remaining = rest
        while !remaining.isEmpty {
            let n = min(remaining.count, tailLimit - writeAt)
            copyIntoTail(UnsafeRawBufferPointer(rebasing: remaining.prefix(n)), at: writeAt)
            remaining = remaining.dropFirst(n)
            tailCount += n
            writeAt = (writeAt + n) % tailLimit
        }
    }

    /// Copies `bytes` into the tail ring from `offset` (they fit before its end).
    private func copyIntoTail(_ bytes: UnsafeRawBufferPointer, at offset: Int) {
        tail.withUnsafeMutableBytes { ring in
            UnsafeMutableRawBufferPointer(rebasing: ring[offset..<(offset + bytes.count)]).copyMemory(from: bytes)
        }
    }

    private func writeToFile(_ buffer: UnsafeRawBufferPointer) {
        guard !buffer.isEmpty else { return }
        if small != nil {
            if fileBytes + buffer.count <= OutputRef.inlineLimit { small?.append(contentsOf: buffer) } else { small = nil }
        }
        hasher.update(buffer)
        if let code = log.append(buffer), writeError == nil { writeError = errnoText(code).lowercased() }
        fileBytes += buffer.count
    }

    private func writeToFile(_ bytes: ArraySlice<UInt8>) { bytes.withUnsafeBytes { writeToFile($0) } }

    /// Flushes the masker and the tail and returns what the journal records: a few bytes go in
    /// the record itself (the journal's sync makes them durable), more are synced in the log here.
    func finish() throws(JournalError) -> OutputRef {
        masker.finish().withUnsafeBytes { keep($0) }
        if dropped > 0 {
            let note = "\n[runbook: \(dropped) bytes of output dropped here; the record keeps the first \(headLimit) and the last \(tailLimit) bytes]\n"
            writeToFile(Array(note.utf8)[...])
        }
        if tailCount > 0 {
            let firstPart = min(tailCount, tailLimit - tailStart)
            writeToFile(tail[tailStart..<(tailStart + firstPart)])
            if tailCount > firstPart { writeToFile(tail[0..<(tailCount - firstPart)]) }
        }
        if let writeError { throw JournalError("cannot write the output log '\(log.path)': \(writeError)") }
        let inline = small.map { base64Encoded($0) }
        if inline == nil { try log.sync() }
        let digest = hasher.finalizeHexCopy()
        return OutputRef(
            file: OutputLog.name, offset: offset, sha256: digest, bytesTotal: bytesTotal, bytesKept: fileBytes,
            bytesDropped: dropped, truncated: dropped > 0, masked: masker.maskedCount, inline: inline)
    }
}
