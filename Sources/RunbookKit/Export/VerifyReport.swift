/// What `runbook verify` reports about a journal and the files of its run folder, as text or JSON.
public struct VerifyReport: Encodable, Sendable {
    /// The journal file.
    public var journal: String
    /// Whether the chain holds (and the head is the expected one, when one was given) and every
    /// file matches the journal.
    public var ok: Bool
    /// Records that verified.
    public var records: Int
    /// The head hash of the verified part (empty when no record verifies).
    public var head: String
    /// The first problem of the chain, if any.
    public var problem: String?
    /// The length of a torn last record (a crash mid-write), if there is one.
    public var tornTailBytes: Int?
    private var tornTailOffset: Int?
    /// The run folder whose files were checked; nil when they were not (`--chain-only`).
    public var folder: String?
    /// How many files the journal names were checked against their SHA-256.
    public var filesChecked: Int?
    /// Files that do not match the journal: missing, changed, unreadable, not named by any record
    /// (nil when the files were not checked).
    public var findings: [RunFileFinding]?
    /// Output files of attempts with no `step_end` (outcome unknown), not checked.
    public var partialOutputs: [String]?
    /// Slices of `output.log` the file lacks whose bytes the journal's records hold.
    public var keptInJournal: [String]?

    enum CodingKeys: String, CodingKey {
        case journal, ok, records, head, problem
        case tornTailBytes = "torn_tail_bytes"
        case folder
        case filesChecked = "files_checked"
        case findings
        case partialOutputs = "partial_outputs"
        case keptInJournal = "kept_in_journal"
    }

    /// The report on `verification` of `journal` and, when given, on the files of its run folder;
    /// `expectedHead` catches records cut from the end.
    public init(journal: String, verification: JournalVerification, expectedHead: String?, folder: String? = nil, files: RunFileCheck.Result? = nil) {
        var problem = verification.problem
        if problem == nil, let expected = expectedHead, expected != verification.headHash {
            problem = "head hash is \(verification.headHash), expected \(expected): records were cut from the end or changed"
        }
        self.journal = journal
        records = verification.recordCount
        head = verification.headHash
        self.problem = problem
        tornTailBytes = verification.tornTail?.length
        tornTailOffset = verification.tornTail?.offset
        self.folder = files == nil ? nil : folder
        filesChecked = files?.checked
        findings = files?.findings
        partialOutputs = files?.partial
        keptInJournal = files.map(\.keptInJournal).flatMap { $0.isEmpty ? nil : $0 }
        ok = problem == nil && (findings ?? []).isEmpty
    }

    /// The human form: the result line, a note on a torn tail, and the files that do not match
    /// (or, on a broken chain, what still verifies).
    public var text: String {
        var out: String
        let findings = findings ?? []
        if let problem {
            let prefix =
                records == 0
                ? "no record verifies"
                : "the first \(records) records verify; head of that part: \(head)"
            out = "\(journal): journal verification failed: \(problem)\n\(prefix)\n"
        } else if !findings.isEmpty {
            out = "\(journal): journal verification failed: \(findings.count) file(s) do not match the journal\n"
            out += "the chain holds: \(records) records, head sha256 \(head)\n"
        } else {
            out = "\(journal): ok, \(records) records, head sha256 \(head)\n"
        }
        if let length = tornTailBytes, let offset = tornTailOffset {
            out += "note: the last \(length) bytes (from offset \(offset)) are a torn record from a crash mid-write; everything before verifies\n"
        }
        for finding in findings { out += "  \(finding.text)\n" }
        if let filesChecked, let folder {
            let matched = filesChecked - findings.filter { $0.kind != .unreferenced }.count
            out += "files: \(matched) of \(filesChecked) named by the journal match their sha256 (in \(folder))\n"
        }
        for path in partialOutputs ?? [] {
            out += "note: \(path) is the partial output of an attempt whose outcome is unknown (no step_end); not checked\n"
        }
        for path in keptInJournal ?? [] {
            out +=
                "note: \(path) is not in the file (written but not yet synced when the runner or the machine stopped); its step_end holds these bytes and their sha256 matches\n"
        }
        if problem != nil && filesChecked != nil {
            out += "note: the chain is broken, so files under out/ and code/ that no record names are not looked for\n"
        }
        return out
    }
}

extension VerifyReport {
    /// Verifies the journal at `path` (streamed: memory stays flat however long it is) and, when
    /// `checkFiles`, the files of its run folder (the folder the journal is in) against it.
    /// Throws only when the journal cannot be read.
    public static func verify(journal path: String, expectedHead: String?, checkFiles: Bool) throws(JournalError) -> VerifyReport {
        let collector = ReferenceCollector()
        let verification = try JournalVerifier.scan(path: path) { record in
            if checkFiles { collector.references.add(record) }
        }
        guard checkFiles else { return VerifyReport(journal: path, verification: verification, expectedHead: expectedHead) }
        let folder = RunFileCheck.folder(ofJournal: path)
        let files = RunFileCheck.check(folder: folder, references: collector.references, lookForUnreferenced: verification.ok)
        return VerifyReport(journal: path, verification: verification, expectedHead: expectedHead, folder: folder, files: files)
    }
}

/// Collects the files the records name while the journal streams past.
private final class ReferenceCollector {
    var references = RunFileReferences()
}
