import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A file in a run folder that does not match its journal.
public struct RunFileFinding: Codable, Sendable, Equatable {
    /// What is wrong with a file.
    public enum Kind: String, Codable, Sendable {
        /// A record names it, and it is not there.
        case missing
        /// Its SHA-256 is not the one recorded.
        case changed
        /// It is there but cannot be read as a regular file (a folder, a symlink, no permission).
        case unreadable
        /// A file under `out/` or `code/`, or bytes of `output.log`, that no record names.
        case unreferenced
        /// `output.log` ends before the bytes a record names end.
        case short
        /// A record names a path outside the run folder.
        case badPath = "bad_path"
    }

    /// What is wrong.
    public var kind: Kind
    /// The file, relative to the run folder.
    public var path: String
    /// Where the bytes in question begin in `path` (slices of `output.log`), nil for a whole file.
    public var offset: Int?
    /// How many bytes from `offset`.
    public var length: Int?
    /// The `seq` of the record that names it (nil for an unreferenced file).
    public var seq: Int?
    /// The SHA-256 the record gives.
    public var expectedSHA256: String?
    /// The file's SHA-256 now (for a changed file).
    public var actualSHA256: String?

    enum CodingKeys: String, CodingKey {
        case kind, path, offset, length, seq
        case expectedSHA256 = "expected_sha256"
        case actualSHA256 = "actual_sha256"
    }

    /// The file, or the slice of it: `output.log@1024+57` (57 bytes from byte 1024).
    public var location: String { offset.map { "\(path)@\($0)+\(length ?? 0)" } ?? path }

    /// One line of `verify`'s report.
    public var text: String {
        let record = seq.map { "record \($0)" } ?? ""
        let path = location
        switch kind {
        case .missing: return "\(path): missing (\(record) gives sha256 \(expectedSHA256 ?? "?"))"
        case .changed: return "\(path): changed (\(record) gives sha256 \(expectedSHA256 ?? "?"), the file's is \(actualSHA256 ?? "?"))"
        case .unreadable: return "\(path): cannot be read as a regular file (named by \(record))"
        case .unreferenced: return "\(path): not named by any record of the journal"
        case .badPath: return "\(path): \(record) names a file outside the run folder"
        case .short: return "\(path): the file ends before these bytes do (\(record) gives sha256 \(expectedSHA256 ?? "?"))"
        }
    }
}

/// The files a journal names, collected record by record while it is verified: the runbook copy
/// (`run_start`), each attempt's output (`step_end`), edited code (`step_start`, `decision`) and
/// the copies a resume keeps of a changed runbook (`runbook-<sha12>.md`, named in its note).
public struct RunFileReferences: Sendable {
    /// One whole file a record names with the SHA-256 it must have.
    struct Reference: Sendable {
        var path: String
        var sha256: String
        var seq: Int
    }

    /// The whole files, in the order named.
    private(set) var references: [Reference] = []
    /// The slices of `output.log` the `step_end` records of version 2 name, in the order named.
    private(set) var slices = OutputSlices()
    private var named: Set<String> = []
    /// Each code step's `step_start`, by key and attempt, until its `step_end` comes: its `seq`
    /// and where its output begins in `output.log` (version 2).
    private var openAttempts: [String: (seq: Int, offset: Int?)] = [:]
    /// Where each attempt's output begins in `output.log`, in the order recorded, less those that
    /// are where the attempt's own recorded slice begins (only the others mark a boundary the
    /// slices do not).
    private(set) var outputStarts: [Int] = []

    /// Nothing collected yet.
    public init() {}

    /// Takes note of the files `record` names.
    public mutating func add(_ record: JournalRecord) {
        switch record.type {
        case .runStart:
            if let runbook = record.runbook { add(runbook.snapshot, runbook.sha256, record.seq) }
        case .stepStart:
            if record.kind == "code", let key = record.key { openAttempts["\(record.attempt ?? 0)/\(key)"] = (record.seq, record.outputOffset) }
            if let offset = record.outputOffset { outputStarts.append(offset) }
            if let edited = record.editedCode { add(edited.file, edited.sha256, record.seq) }
        case .stepEnd:
            if let key = record.key { openAttempts.removeValue(forKey: "\(record.attempt ?? 0)/\(key)") }
            if let output = record.output, let offset = output.offset {
                slices.append(output, seq: record.seq)
                // The step_start's offset is this slice's start: the slice marks that boundary already.
                if outputStarts.last == offset { outputStarts.removeLast() }
            } else if let output = record.output {
                add(output.file, output.sha256, record.seq)
            }
        case .decision:
            if let edited = record.editedCode { add(edited.file, edited.sha256, record.seq) }
        case .note:
            if let text = record.text, let copy = Self.runbookCopy(in: text) { add(copy.file, copy.sha256, record.seq) }
        default:
            break
        }
    }

    /// Output files of version 1 attempts that never got a `step_end` (the runner died during the
    /// step): `out/<seq of step_start>.log`, not named by any record, so not checked, and not unexpected.
    var partialOutputs: Set<String> { Set(openAttempts.values.filter { $0.offset == nil }.map { "out/\($0.seq).log" }) }

    /// Where the output of each version 2 attempt that never got a `step_end` begins in `output.log`.
    var partialOffsets: [Int] { openAttempts.values.compactMap(\.offset).sorted() }

    /// Cuts the tables to their size, once the last record is in.
    mutating func shrink() {
        slices.shrink()
        outputStarts = outputStarts.trimmed()
    }

    private mutating func add(_ path: String, _ sha256: String, _ seq: Int) {
        guard named.insert("\(path)\u{0}\(sha256)").inserted else { return }
        references.append(Reference(path: path, sha256: sha256, seq: seq))
    }

    /// The copy a resume note names, `(copy: runbook-<sha12>.md)`, with the full SHA-256 the note
    /// gives for it (the 64-hex word that starts with those 12).
    static func runbookCopy(in text: String) -> (file: String, sha256: String)? {
        guard let open = text.range(of: "(copy: runbook-") else { return nil }
        let rest = text[open.upperBound...]
        guard let close = rest.firstIndex(of: ")") else { return nil }
        let file = "runbook-" + rest[..<close]
        let prefix = String(rest.prefix(12))
        guard file == "runbook-\(prefix).md", prefix.allSatisfy(\.isHexDigit) else { return nil }
        let words = text.split(whereSeparator: { !$0.isHexDigit })
        guard let sha = words.first(where: { $0.count == 64 && $0.hasPrefix(prefix) }) else { return nil }
        return (file, String(sha))
    }
}

/// Checks the files of a run folder against what its journal records.
public enum RunFileCheck {
    /// What the check found.
    public struct Result: Sendable {
        /// How many named files were checked.
        public var checked = 0
        /// Every file that does not match, in the order found.
        public var findings: [RunFileFinding] = []
        /// Output files of attempts whose outcome is unknown (no `step_end`), not checked.
        public var partial: [String] = []
        /// Slices of `output.log` that are not (all) in the file, whose bytes the journal's own
        /// record holds: written but not yet synced when the runner or the machine stopped.
        public var keptInJournal: [String] = []
    }

    /// The run folder of the journal at `path`: the folder it is in (`.` for a bare file name).
    public static func folder(ofJournal path: String) -> String {
        let folder = (path as NSString).deletingLastPathComponent
        return folder.isEmpty ? "." : folder
    }

    /// Hashes every file `references` names under `folder`, and (when `lookForUnreferenced`, which
    /// needs the whole journal to have verified) lists files under `out/` and `code/` no record names.
    public static func check(folder: String, references: RunFileReferences, lookForUnreferenced: Bool) -> Result {
        var result = Result()
        var named: Set<String> = []
        let folderFD = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        defer { if folderFD >= 0 { close(folderFD) } }
        let logResult = OutputLogCheck.check(folderFD: folderFD, references: references, lookForUnreferenced: lookForUnreferenced)
        result.checked += logResult.checked
        result.findings += logResult.findings
        result.partial += logResult.partial
        result.keptInJournal += logResult.keptInJournal
        for reference in references.references {
            named.insert(reference.path)
            result.checked += 1
            if let finding = check(reference, in: folderFD) { result.findings.append(finding) }
        }
        guard lookForUnreferenced else { return result }
        let partial = references.partialOutputs
        for sub in ["out", "code"] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder + "/" + sub)) ?? []
            var unnamed = names.map { sub + "/" + $0 }.filter { !named.contains($0) }
            unnamed.sort(by: numericOrder)
            for path in unnamed {
                if partial.contains(path) {
                    result.partial.append(path)
                } else {
                    result.findings.append(RunFileFinding(kind: .unreferenced, path: path))
                }
            }
        }
        return result
    }

    /// `out/9.log` before `out/10.log`.
    private static func numericOrder(_ a: String, _ b: String) -> Bool {
        func number(_ path: String) -> Int? {
            Int(String(path.utf8.drop { $0 != UInt8(ascii: "/") }.dropFirst().prefix { $0 >= 0x30 && $0 <= 0x39 }) ?? "")
        }
        if let x = number(a), let y = number(b), x != y { return x < y }
        return a < b
    }

    /// The SHA-256 of no bytes: an empty output file (a step that printed nothing) is checked
    /// from its size alone.
    private static let emptySHA256 = SHA256.hex([UInt8]())

    private static func check(_ reference: RunFileReferences.Reference, in folderFD: Int32) -> RunFileFinding? {
        let path = reference.path
        var finding = RunFileFinding(kind: .missing, path: path, seq: reference.seq, expectedSHA256: reference.sha256)
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !path.hasPrefix("/"), !parts.contains(where: { $0 == ".." || $0.isEmpty }) else {
            finding.kind = .badPath
            return finding
        }
        var info = stat()
        guard fstatat(folderFD, path, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
            finding.kind = errno == ENOENT ? .missing : .unreadable
            return finding
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            finding.kind = .unreadable
            return finding
        }
        let actual: String
        if info.st_size == 0 {
            actual = emptySHA256
        } else {
            let fd = openat(folderFD, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
            guard fd >= 0, let hash = sha256(of: fd) else {
                if fd >= 0 { close(fd) }
                finding.kind = .unreadable
                return finding
            }
            close(fd)
            actual = hash
        }
        if actual == reference.sha256 { return nil }
        finding.kind = .changed
        finding.actualSHA256 = actual
        return finding
    }

    /// The SHA-256 of what `fd` holds, read 64 KiB at a time: the bytes of `range`, or (nil) all
    /// of it to its end; nil on a read error or when the file ends before `range` does.
    static func sha256(of fd: Int32, _ range: Range<Int>? = nil) -> String? {
        var hasher = SHA256Hasher()
        // A slice of a few bytes (most attempts' output) needs no 64 KiB buffer zeroed for it.
        var buffer = [UInt8](repeating: 0, count: min(1 << 16, max(range?.count ?? 1 << 16, 1)))
        var at = range?.lowerBound ?? 0
        while range.map({ at < $0.upperBound }) ?? true {
            let want = min(buffer.count, range.map { $0.upperBound - at } ?? buffer.count)
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, want, off_t(at)) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 || (n == 0 && range != nil) { return nil }
            if n == 0 { break }
            buffer.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            at += n
        }
        return hasher.finalizeHex()
    }
}
