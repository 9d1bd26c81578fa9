/// What `runbook verify` reports about a journal, as text or JSON.
public struct VerifyReport: Encodable, Sendable {
    /// The journal file.
    public var journal: String
    /// Whether the chain holds (and the head is the expected one, when one was given).
    public var ok: Bool
    /// Records that verified.
    public var records: Int
    /// The head hash of the verified part.
    public var head: String
    /// The first problem, if any.
    public var problem: String?
    /// The length of a torn last record (a crash mid-write), if there is one.
    public var tornTailBytes: Int?
    private var tornTailOffset: Int?

    enum CodingKeys: String, CodingKey {
        case journal, ok, records, head, problem
        case tornTailBytes = "torn_tail_bytes"
    }

    /// The report on `verification` of `journal`; `expectedHead` catches records cut from the end.
    public init(journal: String, verification: JournalVerification, expectedHead: String?) {
        var problem = verification.problem
        if problem == nil, let expected = expectedHead, expected != verification.headHash {
            problem = "head hash is \(verification.headHash), expected \(expected): records were cut from the end or changed"
        }
        self.journal = journal
        ok = problem == nil
        records = verification.records.count
        head = verification.headHash
        self.problem = problem
        tornTailBytes = verification.tornTail?.length
        tornTailOffset = verification.tornTail?.offset
    }

    /// The human form: the result line, and a note on a torn tail (or, on failure, what still verifies).
    public var text: String {
        if let problem {
            return "\(journal): journal verification failed: \(problem)\nthe first \(records) records verify; head of that part: \(head)\n"
        }
        var out = "\(journal): ok, \(records) records, head sha256 \(head)\n"
        if let length = tornTailBytes, let offset = tornTailOffset {
            out += "note: the last \(length) bytes (from offset \(offset)) are a torn record from a crash mid-write; everything before verifies\n"
        }
        return out
    }
}
