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
                bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                          hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
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
        var members: [(String, (inout JSONWriter) -> Void)] = []
        func add(_ key: String, _ value: String?) { if let value { members.append((key, { $0.string(value) })) } }
        func add<I: BinaryInteger>(_ key: String, _ value: I?) { if let value { members.append((key, { $0.int(value) })) } }
        func add(_ key: String, _ value: Bool?) { if let value { members.append((key, { $0.bool(value) })) } }
        add("v", v)
        add("seq", seq)
        add("type", type.rawValue)
        add("ts", ts)
        add("prev", prev)
        add("run_id", runId)
        if let runbook {
            members.append(("runbook", { w in
                w.object([("path", { $0.string(runbook.path) }), ("realpath", { $0.string(runbook.realpath) }),
                          ("sha256", { $0.string(runbook.sha256) }), ("bytes", { $0.int(runbook.bytes) }),
                          ("snapshot", { $0.string(runbook.snapshot) })])
            }))
        }
        add("operator", operatorName)
        add("host", host)
        add("mode", mode)
        if let params {
            members.append(("params", { w in
                w.array(params) { w, p in
                    var fields: [(String, (inout JSONWriter) -> Void)] = [
                        ("name", { $0.string(p.name) }), ("secret", { $0.bool(p.secret) }), ("source", { $0.string(p.source) })]
                    if let value = p.value { fields.append(("value", { $0.string(value) })) }
                    w.object(fields)
                }
            }))
        }
        add("incident", incident)
        add("total_steps", totalSteps)
        add("tool", tool)
        add("pid", pid)
        add("boot_id", bootId)
        add("key", key)
        add("number", number)
        add("kind", kind)
        add("line", line)
        add("attempt", attempt)
        add("code_sha256", codeSHA256)
        if let editedCode {
            members.append(("edited_code", { $0.object([("file", { $0.string(editedCode.file) }), ("sha256", { $0.string(editedCode.sha256) })]) }))
        }
        add("interpreter", interpreter)
        add("interactive", interactive)
        add("pgid", pgid)
        add("starttime", starttime)
        add("status", status)
        add("exit_code", exitCode)
        add("signal", signal)
        add("duration_ms", durationMs)
        add("timed_out", timedOut)
        if let signalsSent { members.append(("signals_sent", { w in w.array(signalsSent) { $0.string($1) } })) }
        if let output {
            members.append(("output", { w in
                w.object([("file", { $0.string(output.file) }), ("sha256", { $0.string(output.sha256) }),
                          ("bytes_total", { $0.int(output.bytesTotal) }), ("bytes_kept", { $0.int(output.bytesKept) }),
                          ("bytes_dropped", { $0.int(output.bytesDropped) }), ("truncated", { $0.bool(output.truncated) }),
                          ("masked", { $0.int(output.masked) })])
            }))
        }
        if let leftovers {
            members.append(("leftovers", { w in
                w.array(leftovers) { w, l in w.object([("pid", { $0.int(l.pid) }), ("command", { $0.string(l.command) })]) }
            }))
        }
        if let exports {
            members.append(("exports", { w in
                w.array(exports) { w, e in
                    var fields: [(String, (inout JSONWriter) -> Void)] = [("name", { $0.string(e.name) }), ("secret", { $0.bool(e.secret) })]
                    if let value = e.value { fields.append(("value", { $0.string(value) })) }
                    w.object(fields)
                }
            }))
        }
        if let unset { members.append(("unset", { w in w.array(unset) { $0.string($1) } })) }
        add("error", error)
        add("choice", choice)
        add("reason", reason)
        add("text", text)
        if let counts {
            members.append(("counts", { w in w.object(counts.map { entry in (entry.key, { $0.int(entry.value) }) }) }))
        }
        add("exit_status", exitStatus)
        var writer = JSONWriter()
        writer.object(members)
        return writer.bytes
    }
}
