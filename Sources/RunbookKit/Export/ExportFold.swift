/// The streamed fold of `RunExport.load`: the status collector, the files the records name, and
/// for each step the `seq` of its records (not the records).
final class ExportFold {
    var collector = StatusCollector()
    var references = RunFileReferences()
    var runStart: JournalRecord?
    var runEnd: JournalRecord?
    var lastTs = ""
    var endedInPause = false
    var snapshotSHA256: String?
    var resumedBy: [String] = []
    var records = RecordLists()
    var operators: [(seq: Int, who: String)] = []

    /// Cuts the tables to their size, once the last record is in.
    func shrink() {
        collector.shrink()
        references.shrink()
        records.shrink()
    }

    func add(_ record: JournalRecord) {
        let who = collector.who
        let position = collector.add(record)
        if collector.who != who { operators.append((record.seq, collector.who)) }
        references.add(record)
        if let position, [.stepStart, .stepEnd, .decision].contains(record.type) { records.append(record.seq, to: position) }
        if record.type == .runStart, runStart == nil { runStart = record }
        if record.type == .runEnd { runEnd = record }
        if let ref = record.runbook { snapshotSHA256 = ref.sha256 }
        if record.type == .note, record.key == nil, record.pid != nil, let name = record.operatorName { resumedBy.append("\(name)@\(record.host ?? "?")") }
        lastTs = record.ts
        endedInPause = record.type == .decision && record.choice == "pause"
    }
}

/// For each step (by its position in the status collector), the `seq` of its records in order:
/// one flat array of links for the whole run rather than an array per step.
struct RecordLists {
    /// Each record's `seq` and the index of the next one of its step (-1: none).
    private var links: [(seq: Int32, next: Int32)] = []
    /// Each step's first and last index in `links`.
    private var ends: [(first: Int32, last: Int32)] = []

    /// Adds `seq` at the end of the list of the step at `position`.
    mutating func append(_ seq: Int, to position: Int) {
        let index = Int32(links.count)
        links.append((Int32(seq), -1))
        while ends.count <= position { ends.append((-1, -1)) }
        if ends[position].last >= 0 {
            links[Int(ends[position].last)].next = index
        } else {
            ends[position].first = index
        }
        ends[position].last = index
    }

    /// Cuts the tables to their size.
    mutating func shrink() {
        links = links.trimmed()
        ends = ends.trimmed()
    }

    /// The `seq` of each record of the step at `position`, in order.
    func seqs(of position: Int) -> [Int] {
        var out: [Int] = []
        var index = position < ends.count ? ends[position].first : -1
        while index >= 0 {
            out.append(Int(links[Int(index)].seq))
            index = links[Int(index)].next
        }
        return out
    }
}

/// One step of an export, in order: its index in the runbook copy's steps and its position in the
/// status collector (each -1 when it has none), 8 bytes rather than its key.
struct StepEntry {
    private var copy: Int32
    private var folded: Int32

    /// The index in `copy.steps`, when the copy has the step.
    var copyIndex: Int? { copy >= 0 ? Int(copy) : nil }
    /// The position in the status collector, when the journal names the step.
    var position: Int? { folded >= 0 ? Int(folded) : nil }

    /// The copy's steps in order (the first of any key given twice), then any other key the journal knows.
    static func order(copy: Runbook?, collector: StatusCollector) -> [StepEntry] {
        var entries: [StepEntry] = []
        entries.reserveCapacity(max(copy?.steps.count ?? 0, collector.keys.count))
        var taken = [Bool](repeating: false, count: collector.keys.count)
        var seenElsewhere = Set<String>()
        for (index, step) in (copy?.steps ?? []).enumerated() {
            if let position = collector.position(of: step.key) {
                guard !taken[position] else { continue }
                taken[position] = true
                entries.append(StepEntry(copy: Int32(index), folded: Int32(position)))
            } else if seenElsewhere.insert(step.key).inserted {
                entries.append(StepEntry(copy: Int32(index), folded: -1))
            }
        }
        for position in collector.keys.indices where !taken[position] { entries.append(StepEntry(copy: -1, folded: Int32(position))) }
        return entries
    }
}
