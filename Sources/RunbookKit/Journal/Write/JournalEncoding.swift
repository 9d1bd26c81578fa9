/// A small JSON writer for journal records: sorted keys, no spaces, `/` not escaped, UTF-8.
///
/// Foundation's JSONEncoder took a third of the runner's own time per step; this writes the same
/// JSON (JSONDecoder reads it back) directly into bytes.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(512) }

    /// Writes an object whose members are written by the closures, in key order.
    mutating func object(_ members: [(String, (inout JSONWriter) -> Void)]) {
        bytes.append(UInt8(ascii: "{"))
        for (index, member) in members.sorted(by: { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }).enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            string(member.0)
            bytes.append(UInt8(ascii: ":"))
            member.1(&self)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    mutating func array<T>(_ items: [T], _ each: (inout JSONWriter, T) -> Void) {
        bytes.append(UInt8(ascii: "["))
        for (index, item) in items.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            each(&self, item)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    mutating func string(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x08: bytes.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: bytes.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x00..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [
                    0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                    hex[Int(byte >> 4)], hex[Int(byte & 0xF)],
                ])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func int<I: BinaryInteger>(_ value: I) { bytes.append(contentsOf: Array(String(value).utf8)) }
    mutating func bool(_ value: Bool) { bytes.append(contentsOf: Array((value ? "true" : "false").utf8)) }
}

extension JournalRecord {
    /// The record as one JSON line (without the LF).
    func jsonBytes() -> [UInt8] {
        var members = JSONMembers()
        addRunFields(&members)
        addStepFields(&members)
        addOutcomeFields(&members)
        var writer = JSONWriter()
        writer.object(members.list)
        return writer.bytes
    }

    /// The envelope and the run_start fields.
    private func addRunFields(_ m: inout JSONMembers) {
        m.add("v", v)
        m.add("seq", seq)
        m.add("type", type.rawValue)
        m.add("ts", ts)
        m.add("prev", prev)
        m.add("run_id", runId)
        if let runbook {
            m.append(
                (
                    "runbook",
                    { w in
                        w.object([
                            ("path", { $0.string(runbook.path) }), ("realpath", { $0.string(runbook.realpath) }),
                            ("sha256", { $0.string(runbook.sha256) }), ("bytes", { $0.int(runbook.bytes) }),
                            ("snapshot", { $0.string(runbook.snapshot) }),
                        ])
                    }
                ))
        }
        m.add("operator", operatorName)
        m.add("host", host)
        m.add("mode", mode)
        for (key, values) in [("params", params), ("placeholders", placeholders)] {
            guard let values else { continue }
            m.append(
                (
                    key,
                    { w in
                        w.array(values) { w, p in
                            var fields: [(String, (inout JSONWriter) -> Void)] = [
                                ("name", { $0.string(p.name) }), ("secret", { $0.bool(p.secret) }), ("source", { $0.string(p.source) }),
                            ]
                            if let value = p.value { fields.append(("value", { $0.string(value) })) }
                            w.object(fields)
                        }
                    }
                ))
        }
        m.add("incident", incident)
        m.add("total_steps", totalSteps)
        m.add("tool", tool)
        m.add("pid", pid)
        m.add("boot_id", bootId)
    }

    /// The fields of step_start and step_spawned.
    private func addStepFields(_ m: inout JSONMembers) {
        m.add("key", key)
        m.add("number", number)
        m.add("kind", kind)
        m.add("line", line)
        m.add("attempt", attempt)
        m.add("code_sha256", codeSHA256)
        if let editedCode {
            m.append(("edited_code", { $0.object([("file", { $0.string(editedCode.file) }), ("sha256", { $0.string(editedCode.sha256) })]) }))
        }
        m.add("interpreter", interpreter)
        m.add("interactive", interactive)
        m.add("output_offset", outputOffset)
        m.add("pgid", pgid)
        m.add("starttime", starttime)
    }

    /// The fields of step_end, decision, note and run_end.
    private func addOutcomeFields(_ m: inout JSONMembers) {
        m.add("status", status)
        m.add("exit_code", exitCode)
        m.add("signal", signal)
        m.add("duration_ms", durationMs)
        m.add("timed_out", timedOut)
        if let signalsSent { m.append(("signals_sent", { w in w.array(signalsSent) { $0.string($1) } })) }
        if let output {
            m.append(
                (
                    "output",
                    { w in
                        var fields: [(String, (inout JSONWriter) -> Void)] = [
                            ("file", { $0.string(output.file) }), ("sha256", { $0.string(output.sha256) }),
                            ("bytes_total", { $0.int(output.bytesTotal) }), ("bytes_kept", { $0.int(output.bytesKept) }),
                            ("bytes_dropped", { $0.int(output.bytesDropped) }), ("truncated", { $0.bool(output.truncated) }),
                            ("masked", { $0.int(output.masked) }),
                        ]
                        if let offset = output.offset { fields.append(("offset", { $0.int(offset) })) }
                        if let inline = output.inline { fields.append(("inline", { $0.string(inline) })) }
                        w.object(fields)
                    }
                ))
        }
        if let leftovers {
            m.append(
                (
                    "leftovers",
                    { w in
                        w.array(leftovers) { w, l in w.object([("pid", { $0.int(l.pid) }), ("command", { $0.string(l.command) })]) }
                    }
                ))
        }
        if let exports {
            m.append(
                (
                    "exports",
                    { w in
                        w.array(exports) { w, e in
                            var fields: [(String, (inout JSONWriter) -> Void)] = [("name", { $0.string(e.name) }), ("secret", { $0.bool(e.secret) })]
                            if let value = e.value { fields.append(("value", { $0.string(value) })) }
                            w.object(fields)
                        }
                    }
                ))
        }
        if let unset { m.append(("unset", { w in w.array(unset) { $0.string($1) } })) }
        m.add("error", error)
        if let findings { m.append(("findings", { w in w.array(findings) { $0.string($1) } })) }
        m.add("rehearsed_by", rehearsedBy)
        m.add("choice", choice)
        m.add("reason", reason)
        m.add("text", text)
        if let counts {
            m.append(("counts", { w in w.object(counts.map { entry in (entry.key, { $0.int(entry.value) }) }) }))
        }
        m.add("exit_status", exitStatus)
    }
}

/// An object's members as they are collected: absent (nil) values are left out.
struct JSONMembers {
    private(set) var list: [(String, (inout JSONWriter) -> Void)] = []

    mutating func add(_ key: String, _ value: String?) { if let value { list.append((key, { $0.string(value) })) } }
    mutating func add<I: BinaryInteger>(_ key: String, _ value: I?) { if let value { list.append((key, { $0.int(value) })) } }
    mutating func add(_ key: String, _ value: Bool?) { if let value { list.append((key, { $0.bool(value) })) } }
    mutating func append(_ member: (String, (inout JSONWriter) -> Void)) { list.append(member) }
}

extension JournalRecord {
    /// The longest a free-text field (`text`, `reason`, `error`, each of `findings`) stays when a record is too long
    /// for one journal line.
    static let cutTextLimit = 4096
    /// The most leftovers listed when a record is too long for one journal line.
    static let cutLeftoverLimit = 100

    /// The record made to fit in `lineLimit` bytes, and its line: free text cut to
    /// `cutTextLimit` bytes with a marker saying how much was cut, then the leftovers list cut to
    /// its first `cutLeftoverLimit` entries and a marker entry (pid 0) counting the rest. Nil when
    /// even that does not fit (the record's own data, such as param values, is too long).
    func fitted(lineLimit: Int) -> (record: JournalRecord, line: [UInt8])? {
        var record = self
        record.text = record.text.map { Self.cut($0) }
        record.reason = record.reason.map { Self.cut($0) }
        record.error = record.error.map { Self.cut($0) }
        record.findings = record.findings?.map { Self.cut($0) }
        var line = record.jsonBytes()
        if line.count > lineLimit, let leftovers = record.leftovers, leftovers.count > Self.cutLeftoverLimit {
            let unlisted = leftovers.count - Self.cutLeftoverLimit
            record.leftovers =
                Array(leftovers.prefix(Self.cutLeftoverLimit)) + [
                    Leftover(pid: 0, command: "[runbook: \(unlisted) more processes killed, not listed to keep the journal line under 64 KiB]")
                ]
            line = record.jsonBytes()
        }
        return line.count <= lineLimit ? (record, line) : nil
    }

    /// `text` cut to `cutTextLimit` UTF-8 bytes (at a character boundary) with a marker, or as it is.
    static func cut(_ text: String) -> String {
        let bytes = Array(text.utf8)
        guard bytes.count > cutTextLimit else { return text }
        var end = cutTextLimit
        // Never cut inside a character: back off continuation bytes (10xxxxxx).
        while end > 0 && bytes[end] & 0xC0 == 0x80 { end -= 1 }
        let kept = String(decoding: bytes[0..<end], as: UTF8.self)
        return kept + " [runbook: \(bytes.count - end) more bytes cut to keep the journal line under 64 KiB]"
    }
}
