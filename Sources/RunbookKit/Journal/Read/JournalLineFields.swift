/// The journal record's fields for `JournalLineParser`: each key of `JournalRecord.CodingKeys`
/// with its type. A key not listed here (a field added later) makes the fast path give up, and
/// `JSONDecoder` reads the line: slower, never wrong.
extension JSONCursor {
    /// A whole record; nil unless every key is known, typed as the record has it, and `v`, `seq`,
    /// `type`, `ts` and `prev` are there.
    mutating func record() -> JournalRecord? {
        var record = JournalRecord(type: .note)
        var required = 0
        let ok = object { cursor, key in
            switch key {
            case "v", "seq", "type", "ts", "prev":
                required += 1
                return cursor.envelope(key, &record)
            default:
                return cursor.runField(key, &record) ?? cursor.stepField(key, &record) ?? cursor.outcomeField(key, &record) ?? false
            }
        }
        return ok && required == 5 ? record : nil
    }

    private mutating func envelope(_ key: String, _ r: inout JournalRecord) -> Bool {
        switch key {
        case "v": return Self.assign(&r.v, integer())
        case "seq": return Self.assign(&r.seq, integer())
        case "type":
            guard let raw = string(), let type = RecordType(rawValue: raw) else { return false }
            r.type = type
            return true
        case "ts": return Self.assign(&r.ts, string())
        default: return Self.assign(&r.prev, string())
        }
    }

    /// run_start's fields; nil for a key that is not one of them.
    private mutating func runField(_ key: String, _ r: inout JournalRecord) -> Bool? {
        switch key {
        case "run_id": return Self.assign(&r.runId, string())
        case "runbook": return Self.assign(&r.runbook, runbookRef())
        case "operator": return Self.assign(&r.operatorName, string())
        case "host": return Self.assign(&r.host, string())
        case "mode": return Self.assign(&r.mode, string())
        case "params": return Self.assign(&r.params, array { $0.paramValue() })
        case "placeholders": return Self.assign(&r.placeholders, array { $0.paramValue() })
        case "incident": return Self.assign(&r.incident, string())
        case "total_steps": return Self.assign(&r.totalSteps, integer())
        case "tool": return Self.assign(&r.tool, string())
        case "pid": return Self.assign(&r.pid, integer())
        case "boot_id": return Self.assign(&r.bootId, string())
        default: return nil
        }
    }

    /// step_start's and step_spawned's fields; nil for a key that is not one of them.
    private mutating func stepField(_ key: String, _ r: inout JournalRecord) -> Bool? {
        switch key {
        case "key": return Self.assign(&r.key, string())
        case "number": return Self.assign(&r.number, integer())
        case "kind": return Self.assign(&r.kind, string())
        case "line": return Self.assign(&r.line, integer())
        case "attempt": return Self.assign(&r.attempt, integer())
        case "code_sha256": return Self.assign(&r.codeSHA256, string())
        case "edited_code": return Self.assign(&r.editedCode, codeRef())
        case "interpreter": return Self.assign(&r.interpreter, string())
        case "interactive": return Self.assign(&r.interactive, bool())
        case "output_offset": return Self.assign(&r.outputOffset, integer())
        case "pgid": return Self.assign(&r.pgid, integer())
        case "starttime": return Self.assign(&r.starttime, integer())
        default: return nil
        }
    }

    /// The fields of step_end, decision, note and run_end; nil for a key that is not one of them.
    private mutating func outcomeField(_ key: String, _ r: inout JournalRecord) -> Bool? {
        switch key {
        case "status": return Self.assign(&r.status, string())
        case "exit_code": return Self.assign(&r.exitCode, integer())
        case "signal": return Self.assign(&r.signal, string())
        case "duration_ms": return Self.assign(&r.durationMs, integer())
        case "timed_out": return Self.assign(&r.timedOut, bool())
        case "signals_sent": return Self.assign(&r.signalsSent, array { $0.string() })
        case "output": return Self.assign(&r.output, outputRef())
        case "leftovers": return Self.assign(&r.leftovers, array { $0.leftover() })
        case "exports": return Self.assign(&r.exports, array { $0.exportedVariable() })
        case "unset": return Self.assign(&r.unset, array { $0.string() })
        case "error": return Self.assign(&r.error, string())
        case "findings": return Self.assign(&r.findings, array { $0.string() })
        case "rehearsed_by": return Self.assign(&r.rehearsedBy, string())
        case "choice": return Self.assign(&r.choice, string())
        case "reason": return Self.assign(&r.reason, string())
        case "text": return Self.assign(&r.text, string())
        case "counts": return Self.assign(&r.counts, counts())
        case "exit_status": return Self.assign(&r.exitStatus, integer())
        default: return nil
        }
    }

    private static func assign<T>(_ field: inout T, _ value: T?) -> Bool {
        guard let value else { return false }
        field = value
        return true
    }

    private static func assign<T>(_ field: inout T?, _ value: T?) -> Bool {
        guard let value else { return false }
        field = value
        return true
    }

    private mutating func runbookRef() -> RunbookRef? {
        var (path, realpath, sha256, bytes, snapshot): (String?, String?, String?, Int?, String?)
        let ok = object { c, key in
            switch key {
            case "path": return Self.assign(&path, c.string())
            case "realpath": return Self.assign(&realpath, c.string())
            case "sha256": return Self.assign(&sha256, c.string())
            case "bytes": return Self.assign(&bytes, c.integer())
            case "snapshot": return Self.assign(&snapshot, c.string())
            default: return false
            }
        }
        guard ok, let path, let realpath, let sha256, let bytes, let snapshot else { return nil }
        return RunbookRef(path: path, realpath: realpath, sha256: sha256, bytes: bytes, snapshot: snapshot)
    }

    private mutating func paramValue() -> ParamValue? {
        var (name, value, secret, source): (String?, String?, Bool?, String?)
        let ok = object { c, key in
            switch key {
            case "name": return Self.assign(&name, c.string())
            case "value": return Self.assign(&value, c.string())
            case "secret": return Self.assign(&secret, c.bool())
            case "source": return Self.assign(&source, c.string())
            default: return false
            }
        }
        guard ok, let name, let secret, let source else { return nil }
        return ParamValue(name: name, value: value, secret: secret, source: source)
    }

    private mutating func codeRef() -> CodeRef? {
        var (file, sha256): (String?, String?)
        let ok = object { c, key in
            switch key {
            case "file": return Self.assign(&file, c.string())
            case "sha256": return Self.assign(&sha256, c.string())
            default: return false
            }
        }
        guard ok, let file, let sha256 else { return nil }
        return CodeRef(file: file, sha256: sha256)
    }

    private mutating func outputRef() -> OutputRef? {
        var (file, sha256, inline): (String?, String?, String?)
        var (total, kept, dropped, masked, offset): (Int?, Int?, Int?, Int?, Int?)
        var truncated: Bool?
        let ok = object { c, key in
            switch key {
            case "file": return Self.assign(&file, c.string())
            case "offset": return Self.assign(&offset, c.integer())
            case "inline": return Self.assign(&inline, c.string())
            case "sha256": return Self.assign(&sha256, c.string())
            case "bytes_total": return Self.assign(&total, c.integer())
            case "bytes_kept": return Self.assign(&kept, c.integer())
            case "bytes_dropped": return Self.assign(&dropped, c.integer())
            case "truncated": return Self.assign(&truncated, c.bool())
            case "masked": return Self.assign(&masked, c.integer())
            default: return false
            }
        }
        guard ok, let file, let sha256, let total, let kept, let dropped, let truncated, let masked else { return nil }
        return OutputRef(
            file: file, offset: offset, sha256: sha256, bytesTotal: total, bytesKept: kept, bytesDropped: dropped, truncated: truncated,
            masked: masked, inline: inline)
    }

    private mutating func leftover() -> Leftover? {
        var pid: Int32?
        var command: String?
        let ok = object { c, key in
            switch key {
            case "pid": return Self.assign(&pid, c.integer())
            case "command": return Self.assign(&command, c.string())
            default: return false
            }
        }
        guard ok, let pid, let command else { return nil }
        return Leftover(pid: pid, command: command)
    }

    private mutating func exportedVariable() -> ExportedVariable? {
        var (name, value, secret): (String?, String?, Bool?)
        let ok = object { c, key in
            switch key {
            case "name": return Self.assign(&name, c.string())
            case "value": return Self.assign(&value, c.string())
            case "secret": return Self.assign(&secret, c.bool())
            default: return false
            }
        }
        guard ok, let name, let secret else { return nil }
        return ExportedVariable(name: name, value: value, secret: secret)
    }

    private mutating func counts() -> [String: Int]? {
        var counts: [String: Int] = [:]
        let ok = object { c, key in
            guard let value: Int = c.integer() else { return false }
            counts[key] = value
            return true
        }
        return ok ? counts : nil
    }
}
