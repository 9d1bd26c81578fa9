import Foundation

/// `runbook export --format json`: the same record as structured data (format `runbook-export`,
/// version 1, sorted snake_case keys; schema in docs/export.schema.json).
///
/// Written a step at a time: the top-level object is laid out here, the header parts encoded with
/// `JSONEncoder`, each step with `PrettyJSONWriter` (the same layout, much faster).
public final class JSONExport {
    let export: RunExport
    let reader: RunFolderReader

    /// A renderer of `export`.
    public init(_ export: RunExport, options: ExportOptions) {
        self.export = export
        reader = RunFolderReader(export, options: options)
    }

    /// Writes the whole document to `sink`.
    public func write(to sink: any ExportSink) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        func encoded<T: Encodable>(_ value: T, indent: String) throws -> String {
            let text = JSONText.collapsingEmptyArrays(String(decoding: try encoder.encode(value), as: UTF8.self))
            return text.replacingOccurrences(of: "\n", with: "\n" + indent)
        }
        var notices: [String] = []
        if export.isRehearsal { notices.append("REHEARSAL: this is a rehearsal (runbook run --dry-run); no step's code was executed") }
        if export.run.unfinished { notices.append("UNFINISHED: the run has not ended (state: \(export.run.state))") }
        notices += export.damage.map { "DAMAGED: \($0)" }
        sink.write("{\n  \"damaged\" : \(!export.damage.isEmpty),\n")
        sink.write("  \"events\" : \(try encoded(export.events, indent: "  ")),\n")
        sink.write("  \"format\" : \"runbook-export\",\n")
        sink.write("  \"journal\" : \(try encoded(export.journal, indent: "  ")),\n")
        sink.write("  \"marker\" : \(try encoded(ExportWords.marker(export), indent: "  ")),\n")
        sink.write("  \"notices\" : \(try encoded(notices, indent: "  ")),\n")
        sink.write("  \"rehearsal\" : \(export.isRehearsal),\n")
        sink.write("  \"run\" : \(try encoded(export.run, indent: "  ")),\n")
        sink.write("  \"runbook\" : \(try encoded(export.runbook, indent: "  ")),\n")
        sink.write("  \"steps\" : [")
        var first = true
        export.forEachStep { step in
            var writer = PrettyJSONWriter(indent: "    ")
            writer.object { write(step, into: &$0) }
            sink.write((first ? "\n    " : ",\n    ") + writer.text)
            first = false
        }
        sink.write(first ? "],\n" : "\n  ],\n")
        sink.write("  \"unfinished\" : \(export.run.unfinished),\n  \"version\" : 1\n}\n")
    }

    /// One step: the runbook's step and what the journal says of it (docs/export.schema.json, `step`).
    private func write(_ step: ExportStep, into object: inout PrettyJSONWriter) {
        let source = step.step
        object.int("attempt_count", step.status.attempts)
        object.objects("attempts", step.attempts, write)
        object.string("code", source?.code)
        object.string("code_sha256", source?.codeSHA256)
        object.bool("done", step.isDone)
        object.int("duration_ms", step.status.durationMs)
        object.objects("edited_code", step.attempts.compactMap { reader.editedCode($0, step: source) }, write)
        object.string("ended", step.ended)
        object.string("error", step.error)
        object.objects("events", step.status.events, write)
        object.int("exit_code", step.status.exitCode)
        object.bool("in_runbook", source != nil)
        object.string("interpreter", source?.interpreter)
        object.string("key", step.key)
        object.string("kind", step.kind)
        object.string("language", source?.language)
        object.int("line", source?.line)
        object.int("number", step.number)
        object.string("outcome", step.status.outcome)
        object.int("output_bytes", step.status.outputBytes)
        object.string("reason", step.reason)
        object.string("recorded_code_sha256", step.recordedCodeSHA256)
        object.string("section", step.section)
        object.string("started", step.started)
        object.string("title", step.title)
        object.string("who", step.who)
    }

    private func write(_ object: inout PrettyJSONWriter, _ attempt: ExportAttempt) {
        object.int("attempt", attempt.attempt)
        object.int("duration_ms", attempt.durationMs)
        if let edited = attempt.editedCode {
            object.object("edited_code") { ref in
                ref.string("file", edited.file)
                ref.string("sha256", edited.sha256)
            }
        }
        object.string("ended", attempt.ended)
        object.string("error", attempt.error)
        if let output = attempt.output {
            let excerpt = reader.excerpt(output, interactive: attempt.interactive == true)
            object.object("excerpt") { shown in
                shown.int("cut_bytes", excerpt.cutBytes)
                shown.int("file_bytes", excerpt.fileBytes)
                shown.string("rendered", excerpt.rendered)
                shown.int("shown_bytes", excerpt.shownBytes)
                shown.string("text", excerpt.text)
                shown.string("withheld", excerpt.withheld)
            }
        }
        object.int("exit_code", attempt.exitCode)
        object.objects("exports", attempt.exports) { item, variable in
            item.string("name", variable.name)
            item.bool("secret", variable.secret)
            item.string("value", variable.value)
        }
        object.strings("findings", attempt.findings)
        object.bool("interactive", attempt.interactive)
        object.objects("leftovers", attempt.leftovers) { item, leftover in
            item.string("command", leftover.command)
            item.int("pid", leftover.pid)
        }
        if let output = attempt.output {
            object.object("output") { ref in
                ref.int("bytes_dropped", output.bytesDropped)
                ref.int("bytes_kept", output.bytesKept)
                ref.int("bytes_total", output.bytesTotal)
                ref.string("file", output.file)
                ref.int("masked", output.masked)
                ref.int("offset", output.offset)
                ref.string("sha256", output.sha256)
                ref.bool("truncated", output.truncated)
            }
        }
        object.string("rehearsed_by", attempt.rehearsedBy)
        object.string("signal", attempt.signal)
        object.strings("signals_sent", attempt.signalsSent)
        object.int("start_seq", attempt.startSeq)
        object.string("started", attempt.started)
        object.string("status", attempt.status)
        object.bool("timed_out", attempt.timedOut)
    }

    private func write(_ object: inout PrettyJSONWriter, _ edited: EditedCode) {
        object.int("attempt", edited.attempt)
        object.strings("diff", edited.diff)
        object.string("file", edited.file)
        object.string("sha256", edited.sha256)
        object.string("withheld", edited.withheld)
    }

    private func write(_ object: inout PrettyJSONWriter, _ event: RunStatus.Event) {
        object.string("choice", event.choice)
        object.string("kind", event.kind)
        object.string("text", event.text)
        object.string("ts", event.ts)
        object.string("who", event.who)
    }
}
