#if canImport(Glibc)
    import Glibc
#endif

/// Checks the run's `output.log` (journal format version 2) against the slices its `step_end`
/// records name: each slice's bytes must have the recorded SHA-256, and (when the whole journal
/// verified) every byte of the log must belong to a recorded slice or to the partial output of
/// an attempt whose outcome is unknown.
enum OutputLogCheck {
    /// What the check found.
    struct Result {
        var checked = 0
        var findings: [RunFileFinding] = []
        /// The partial outputs of attempts that never got a `step_end`: `output.log@<offset>+<length>`.
        var partial: [String] = []
        /// Slices the file does not (fully) hold whose bytes the record carries itself.
        var keptInJournal: [String] = []
    }

    static func check(folderFD: Int32, references: RunFileReferences, lookForUnreferenced: Bool) -> Result {
        var result = Result()
        let slices = references.slices
        let partialOffsets = references.partialOffsets
        guard !slices.isEmpty || !partialOffsets.isEmpty || lookForUnreferenced else { return result }
        let fd = openat(folderFD, OutputLog.name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        let openErrno = errno
        defer { if fd >= 0 { close(fd) } }
        var info = stat()
        let regular = fd >= 0 && fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
        let size = regular ? Int(info.st_size) : 0
        for (index, slice) in slices.all.enumerated() {
            let range = slice.range
            result.checked += 1
            if range.isEmpty { continue }
            var finding = RunFileFinding(
                kind: .missing, path: slices.path(at: index), offset: range.lowerBound, length: range.count, seq: slice.seq,
                expectedSHA256: slices.sha256(at: index))
            // The record carries the bytes: they must be the ones it gives the hash of (checked when
            // the slice was added), and the file, where it has them, must hold the same; where it
            // does not (not synced before a crash), nothing is lost.
            if slice.inline == .differs {
                finding.kind = .changed
                finding.actualSHA256 = slices.inlineSHA256(at: index)
                result.findings.append(finding)
                continue
            }
            if slice.inline == .matches, !(fd >= 0 && regular && range.upperBound <= size) {
                result.keptInJournal.append(finding.location)
                continue
            }
            guard fd >= 0 else {
                finding.kind = openErrno == ENOENT ? .missing : .unreadable
                result.findings.append(finding)
                continue
            }
            guard regular else {
                finding.kind = .unreadable
                result.findings.append(finding)
                continue
            }
            guard range.upperBound <= size else {
                finding.kind = .short
                result.findings.append(finding)
                continue
            }
            guard let actual = RunFileCheck.sha256(of: fd, range) else {
                finding.kind = .unreadable
                result.findings.append(finding)
                continue
            }
            if !slices.isRecordedSHA256(actual, at: index) {
                finding.kind = .changed
                finding.actualSHA256 = actual
                result.findings.append(finding)
            }
        }
        guard lookForUnreferenced, regular else { return result }
        // Every byte belongs to a recorded slice or to an unfinished attempt's partial output,
        // which runs from where its step_start says until the next attempt's output begins.
        var covered = slices.all.map(\.range)
        let boundaries = (covered.map(\.lowerBound) + references.outputStarts).sorted()
        for offset in partialOffsets {
            let end = boundaries.first { $0 > offset } ?? size
            let range = offset..<max(offset, min(end, size))
            covered.append(range)
            if !range.isEmpty { result.partial.append("\(OutputLog.name)@\(range.lowerBound)+\(range.count)") }
        }
        var cursor = 0
        for range in covered.sorted(by: { $0.lowerBound < $1.lowerBound }) where !range.isEmpty {
            if range.lowerBound > cursor { result.findings.append(unreferenced(cursor..<range.lowerBound)) }
            cursor = max(cursor, range.upperBound)
        }
        if size > cursor { result.findings.append(unreferenced(cursor..<size)) }
        return result
    }

    private static func unreferenced(_ range: Range<Int>) -> RunFileFinding {
        RunFileFinding(kind: .unreferenced, path: OutputLog.name, offset: range.lowerBound, length: range.count)
    }
}
