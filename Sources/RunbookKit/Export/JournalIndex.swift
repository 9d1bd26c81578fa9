import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Where each verified line of a journal starts, so that a step's own records can be read again
/// when an export reaches that step: the journal is streamed once to fold it, and no decoded record
/// is kept (a 100,000-record run needs a few hundred KiB of offsets, not the records).
///
/// Lines are read with `pread` from the verified part only; the journal is append-only, so what
/// verified stays where it was even if the run goes on meanwhile.
final class JournalIndex {
    private let fd: Int32
    /// Offset of line `n` (the record with `seq` n), and one more: the end of the verified part.
    private var starts: [Int] = []
    private let decoder = JSONDecoder()

    /// Indexes the first `verifiedBytes` bytes of the journal at `path`, which hold `records` lines.
    init(path: String, verifiedBytes: Int, records: Int) {
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0, verifiedBytes > 0 else { return }
        starts.reserveCapacity(records + 1)
        starts.append(0)
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var offset = 0
        while offset < verifiedBytes {
            let wanted = min(chunk.count, verifiedBytes - offset)
            let n = chunk.withUnsafeMutableBytes { Glibc.pread(fd, $0.baseAddress, wanted, off_t(offset)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            chunk.withUnsafeBytes { bytes in
                guard let base = bytes.baseAddress else { return }
                var position = 0
                while position < n, let found = memchr(base + position, 0x0A, n - position) {
                    let index = base.distance(to: UnsafeRawPointer(found))
                    starts.append(offset + index + 1)
                    position = index + 1
                }
            }
            offset += n
        }
    }

    deinit { if fd >= 0 { close(fd) } }

    /// The record with `seq`, read and decoded again; nil if it can no longer be read.
    func record(_ seq: Int) -> JournalRecord? {
        guard seq >= 0, seq + 1 < starts.count else { return nil }
        let length = starts[seq + 1] - starts[seq] - 1
        var line = [UInt8](repeating: 0, count: max(length, 0))
        var done = 0
        while done < length {
            let n = line.withUnsafeMutableBytes { Glibc.pread(fd, $0.baseAddress.map { $0 + done }, length - done, off_t(starts[seq] + done)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return nil }
            done += n
        }
        // The verifier's fast reader first, as the verifier does; JSONDecoder for any other form.
        guard let record = JournalLineParser.parse(line[...]) ?? (try? decoder.decode(JournalRecord.self, from: Data(line))), record.seq == seq
        else { return nil }
        return record
    }
}
