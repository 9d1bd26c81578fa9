/// `runbook export --format html`: one self-contained page (no script, no font, no image, no
/// request of any kind: its Content-Security-Policy forbids them) with the run's header, a
/// timeline of its steps with durations and outcomes, collapsible code and output, and the
/// journal's head hash at the foot. Colours are kept when printed to PDF.
public struct HTMLExport {
    let export: RunExport
    let reader: RunFolderReader

    /// A renderer of `export`.
    public init(_ export: RunExport, options: ExportOptions) {
        self.export = export
        reader = RunFolderReader(export, options: options)
    }

    /// Writes the whole page to `sink`, a step at a time.
    public func write(to sink: any ExportSink) {
        let title = export.runbook.title ?? export.runbook.path
        sink.write(
            """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="runbook-export" content="\(Self.escape(ExportWords.marker(export)))">
            <title>\(export.isRehearsal ? "REHEARSAL · " : "")Run record: \(Self.escape(title)) · \(Self.escape(export.run.runId))</title>
            <style>\(HTMLStyle.css)</style>
            </head>
            <body>
            <!-- \(ExportWords.marker(export)) -->

            """)
        writeBanners(sink)
        writeHeader(title: title, sink)
        writeTimeline(sink)
        writeFooter(sink)
        sink.write("</body>\n</html>\n")
    }

    private func writeBanners(_ sink: any ExportSink) {
        if export.isRehearsal {
            sink.write(
                "<div class=\"banner rehearsal\" id=\"rehearsal\">REHEARSAL<small>a rehearsal (runbook run --dry-run): no step's code was executed</small></div>\n"
            )
        }
        if export.run.unfinished {
            sink.write(
                "<div class=\"banner unfinished\" id=\"unfinished\">UNFINISHED RUN<small>the run has not ended (state: \(Self.escape(export.run.state))); this record stops at its last journal record</small></div>\n"
            )
        }
        let damage = export.damage
        if !damage.isEmpty {
            sink.write("<div class=\"banner damaged\" id=\"damaged\">DAMAGED RECORD<small>exported with --allow-damaged: the run does not verify</small><ul>")
            for problem in damage { sink.write("<li>\(Self.escape(problem))</li>") }
            sink.write("</ul></div>\n")
        }
    }

    private func writeHeader(title: String, _ sink: any ExportSink) {
        let run = export.run
        sink.write("<header>\n<p class=\"kicker\">Run record</p>\n<h1>\(Self.escape(title))</h1>\n")
        sink.write("<p class=\"state s-\(Self.escape(run.state))\">\(Self.escape(ExportWords.ending(run)))</p>\n<dl class=\"facts\">\n")
        var rows: [(String, String)] = [("Run", "<code>\(Self.escape(run.runId))</code>"), ("Mode", Self.escape(run.mode))]
        if let incident = run.incident { rows.append(("Incident", Self.escape(incident))) }
        rows.append(("Operator", Self.escape("\(run.operatorName)@\(run.host)")))
        if !run.resumedBy.isEmpty { rows.append(("Resumed by", Self.escape(run.resumedBy.joined(separator: ", ")))) }
        rows.append(("Started", Self.escape(run.started)))
        rows.append(("Ended", Self.escape(run.ended ?? "not ended (last record \(run.lastRecord))")))
        if let ms = run.durationMs { rows.append(("Duration", ExportTime.duration(ms))) }
        rows.append(("Steps", Self.escape("\(run.totalSteps): \(ExportWords.counts(export.outcomes))")))
        rows.append(("Runbook", "<code>\(Self.escape(export.runbook.path))</code> <span class=\"dim\">\(Self.escape(export.runbook.realpath))</span>"))
        rows.append(("Runbook sha256", "<code class=\"hash\">\(Self.escape(export.runbook.sha256))</code>"))
        if !run.params.isEmpty {
            rows.append(("Params", run.params.map { "<code>\(Self.escape(ExportWords.param($0)))</code>" }.joined(separator: " ")))
        }
        if !run.placeholders.isEmpty {
            rows.append(("Placeholders", run.placeholders.map { "<code>\(Self.escape(ExportWords.param($0)))</code>" }.joined(separator: " ")))
        }
        if let tool = run.tool { rows.append(("Tool", Self.escape(tool))) }
        for (name, value) in rows { sink.write("<div><dt>\(name)</dt><dd>\(value)</dd></div>\n") }
        sink.write("</dl>\n")
        if let problem = export.runbook.problem {
            sink.write("<p class=\"warning\">\(Self.escape(problem)); the steps are listed from the journal alone.</p>\n")
        }
        writeEvents(export.events, sink)
        sink.write("</header>\n")
    }

    private func writeTimeline(_ sink: any ExportSink) {
        sink.write("<main>\n<h2>Timeline</h2>\n<ol class=\"timeline\">\n")
        let runStart = ExportTime.milliseconds(export.run.started) ?? 0
        let span = max(export.run.durationMs ?? 0, 1)
        var section: String?
        export.forEachStep { step in
            if let title = step.section, title != section {
                section = title
                sink.write("<li class=\"section\"><h3>\(Self.escape(title))</h3></li>\n")
            }
            writeStep(step, runStart: runStart, span: span, sink)
        }
        sink.write("</ol>\n</main>\n")
    }

    private func writeStep(_ step: ExportStep, runStart: Int, span: Int, _ sink: any ExportSink) {
        let outcome = step.status.outcome
        let id = Self.escape(step.key)
        sink.write("<li class=\"step o-\(Self.escape(outcome))\" id=\"step-\(id)\" data-key=\"\(id)\" data-outcome=\"\(Self.escape(outcome))\">\n")
        let offset = step.started.flatMap(ExportTime.milliseconds).map { $0 - runStart }
        var time = offset.map { "+" + ExportTime.duration(max($0, 0)) } ?? "—"
        if step.kind == "code" && step.status.attempts > 0 { time += " · " + ExportTime.duration(step.status.durationMs) }
        sink.write(
            "<div class=\"row\"><span class=\"num\">\(step.number.map(String.init) ?? "·")</span><span class=\"badge\">\(Self.escape(ExportWords.outcome(outcome)))</span>"
                + "<span class=\"title\">\(Self.escape(step.title ?? step.key))</span><code class=\"key\">\(id)</code><span class=\"time\">\(time)</span></div>\n"
        )
        if let offset {
            let length = step.kind == "code" ? step.status.durationMs : 0
            let left = min(max(Double(offset) / Double(span) * 100, 0), 99.5)
            let width = min(max(Double(length) / Double(span) * 100, 0.5), 100 - left)
            sink.write("<div class=\"track\"><span class=\"bar\" style=\"left:\(Self.percent(left));width:\(Self.percent(width))\"></span></div>\n")
        }
        var meta = ExportWords.facts(step).map(Self.escape)
        if let ended = step.ended ?? step.started { meta.append(Self.escape(ended + (step.who.map { " by " + $0 } ?? ""))) }
        if let reason = step.reason, ["skipped", "done"].contains(outcome) { meta.append("<span class=\"reason\">\(Self.escape(reason))</span>") }
        if !meta.isEmpty { sink.write("<p class=\"meta\">\(meta.joined(separator: " · "))</p>\n") }
        if let error = step.error { sink.write("<p class=\"error\">\(Self.escape(error))</p>\n") }
        if let recorded = step.recordedCodeSHA256, let current = step.step?.codeSHA256, recorded != current {
            sink.write(
                "<p class=\"warning\">The code that ran (sha256 \(Self.escape(recorded))) is not the code shown: the runbook changed after it ran.</p>\n")
        }
        if let code = step.step?.code {
            sink.write(
                "<details class=\"code\"><summary>Code <span class=\"dim\">\(Self.escape(step.step?.language ?? ""))</span></summary><pre>\(Self.escape(code))</pre></details>\n"
            )
        }
        if step.kind == "code" { for attempt in step.attempts { writeAttempt(attempt, step: step, sink) } }
        writeEvents(step.status.events, sink)
        sink.write("</li>\n")
    }

    private func writeAttempt(_ attempt: ExportAttempt, step: ExportStep, _ sink: any ExportSink) {
        var facts = ["attempt \(attempt.attempt)", ExportWords.outcome(attempt.status ?? "unknown")]
        if let code = attempt.exitCode { facts.append("exit \(code)") }
        if let signal = attempt.signal { facts.append("signal \(signal)") }
        if let ms = attempt.durationMs { facts.append(ExportTime.duration(ms)) }
        if let by = attempt.rehearsedBy { sink.write("<p class=\"rehearsed-by\">rehearsal: \(Self.escape(ExportWords.rehearsedBy(by)))</p>\n") }
        for finding in attempt.findings ?? [] { sink.write("<p class=\"finding\">\(Self.escape(finding))</p>\n") }
        if let error = attempt.error, attempt.attempt != step.attempts.last?.attempt { sink.write("<p class=\"error\">\(Self.escape(error))</p>\n") }
        if let leftovers = attempt.leftovers, !leftovers.isEmpty {
            let list = leftovers.map { "\($0.command) (pid \($0.pid))" }.joined(separator: ", ")
            sink.write("<p class=\"warning\">left behind and killed: \(Self.escape(list))</p>\n")
        }
        if let edited = reader.editedCode(attempt, step: step.step) {
            sink.write(
                "<details class=\"diff\" open><summary>Edited before attempt \(attempt.attempt) <span class=\"dim\">\(Self.escape(edited.file))</span></summary>"
            )
            if let diff = edited.diff {
                sink.write("<pre>")
                for line in diff {
                    let kind = line.hasPrefix("+") ? "add" : line.hasPrefix("-") ? "del" : "same"
                    sink.write("<span class=\"\(kind)\">\(Self.escape(line))</span>\n")
                }
                sink.write("</pre>")
            }
            if let withheld = edited.withheld { sink.write("<p class=\"warning\">\(Self.escape(withheld))</p>") }
            sink.write("</details>\n")
        }
        guard let output = attempt.output else {
            sink.write("<p class=\"attempt\">\(Self.escape(facts.joined(separator: " · ")))</p>\n")
            return
        }
        var about = facts + ["\(output.bytesTotal) bytes written"]
        if output.bytesDropped > 0 { about.append("\(output.bytesDropped) dropped when recorded") }
        if output.masked > 0 { about.append("\(output.masked) masked") }
        let excerpt = reader.excerpt(output, interactive: attempt.interactive == true)
        let failed = !["ok", "rehearsed"].contains(attempt.status ?? "")
        sink.write(
            "<details class=\"output\"\(failed ? " open" : "")><summary>Output \(Self.escape(output.location)) <span class=\"dim\">\(Self.escape(about.joined(separator: " · ")))</span></summary>"
        )
        if let withheld = excerpt.withheld {
            sink.write("<p class=\"warning\">\(Self.escape(withheld))</p>")
        } else if let rendered = excerpt.rendered {
            sink.write("<p class=\"dim\">as the terminal finally showed it (the record keeps every byte)</p><pre>\(Self.escape(rendered))</pre>")
        } else {
            sink.write("<pre>\(Self.escape(excerpt.text))</pre>")
        }
        sink.write("</details>\n")
    }

    private func writeEvents(_ events: [RunStatus.Event], _ sink: any ExportSink) {
        guard !events.isEmpty else { return }
        sink.write("<ul class=\"events\">")
        for event in events {
            let what = event.kind == "decision" ? "decided <b>\(Self.escape(event.choice ?? "?"))</b>" : "<b>\(Self.escape(event.kind))</b>"
            let text = event.text.map { ": " + Self.escape($0) } ?? ""
            sink.write("<li><span class=\"dim\">\(Self.escape(event.ts)) \(Self.escape(event.who))</span> \(what)\(text)</li>")
        }
        sink.write("</ul>\n")
    }

    private func writeFooter(_ sink: any ExportSink) {
        let journal = export.journal
        sink.write("<footer>\n<h2>Journal</h2>\n<dl class=\"facts\">\n")
        sink.write("<div><dt>Journal</dt><dd><code>\(Self.escape(journal.file))</code></dd></div>\n")
        sink.write("<div><dt>Records</dt><dd>\(journal.records)</dd></div>\n")
        sink.write("<div><dt>Head sha256</dt><dd><code class=\"hash\" id=\"head\">\(Self.escape(journal.head))</code></dd></div>\n")
        sink.write("<div><dt>Verification</dt><dd>\(journal.ok ? "ok: the chain holds and every file matches" : "FAILED")</dd></div>\n")
        if let torn = journal.tornTailBytes {
            sink.write("<div><dt>Torn tail</dt><dd>\(torn) bytes from a crash mid-write, not part of the record</dd></div>\n")
        }
        let verify = "runbook verify \(export.run.runId) --expect-head \(journal.head)\(reader.options.stateDirOption)"
        sink.write("</dl>\n<p class=\"dim\">Check it: <code>\(Self.escape(verify))</code></p>\n</footer>\n")
    }

    /// Text for HTML content or an attribute value.
    static func escape(_ text: String) -> String {
        if !text.utf8.contains(where: {
            $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "'")
        }) {
            return text
        }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// `12.35%`.
    static func percent(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)%"
    }
}
