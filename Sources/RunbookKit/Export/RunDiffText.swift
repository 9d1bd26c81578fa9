extension RunDiff {
    /// The human form: the two runs, then one line per step (A's result, B's, what differs), then
    /// the code changes.
    public func text(style: Style) -> String {
        var out = ""
        for (label, side) in [("A", a), ("B", b)] {
            var facts = [side.mode == "rehearsal" ? style.magenta("REHEARSAL") : side.mode, side.state, side.operatorName, side.started]
            if let ms = side.durationMs { facts.append(ExportTime.duration(ms)) }
            if let incident = side.incident { facts.append("incident \(incident)") }
            out += style.bold("\(label) \(side.runId)") + "  " + facts.joined(separator: "  ") + "\n"
            out += "  runbook \(side.runbook)  sha256 \(side.runbookSHA256.prefix(12))\n"
        }
        out += sameRunbook ? "the same runbook in both runs\n" : style.yellow(runbookChange) + "\n"
        out += "\n"
        let rows = steps.map { step in
            [
                step.a?.number.map(String.init) ?? step.b?.number.map(String.init) ?? "-", step.key, Self.cell(step.a),
                Self.cell(step.b) + (step.durationDeltaMs.map { $0 == 0 ? "" : " (\($0 > 0 ? "+" : "-")\(ExportTime.duration(abs($0))))" } ?? ""),
                step.changes.isEmpty ? "" : "≠ " + step.changes.joined(separator: ", "),
            ]
        }
        let header = ["#", "step", "A", "B", ""]
        var widths = header.map(\.count)
        for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count)
            }.joined(separator: "  ").trimmingSpaces()
        }
        out += style.dim(line(header)) + "\n"
        for (row, step) in zip(rows, steps) { out += (step.changes.isEmpty ? line(row) : style.yellow(line(row))) + "\n" }
        out += "\n\(differing) of \(steps.count) step\(steps.count == 1 ? "" : "s") differ\n"
        for step in steps { if let diff = step.codeDiff { out += "\ncode of \(step.key), from A's runbook to B's:\n" + Self.coloured(diff, style) } }
        return out
    }

    /// `changed between the runs: 1 step's code changed, 1 added, 0 removed`.
    var runbookChange: String {
        let changed = steps.filter { $0.changes.contains("code") }.count
        let added = steps.filter { $0.a == nil }.count
        let removed = steps.filter { $0.b == nil }.count
        return "the runbook changed between the runs: \(changed) step\(changed == 1 ? "'s" : "s'") code changed, \(added) only in B, \(removed) only in A"
    }

    private static func cell(_ side: StepSide?) -> String {
        guard let side else { return "—" }
        var text = side.outcome == "unknown" ? "unknown" : ExportWords.outcome(side.outcome)
        if side.attempts > 1 { text += " ×\(side.attempts)" }
        if side.attempts > 0 && side.outcome != "done" { text += " " + ExportTime.duration(side.durationMs) }
        if let code = side.exitCode, code != 0 { text += " exit \(code)" }
        if !side.editedCode.isEmpty { text += " edited" }
        return text
    }

    private static func coloured(_ diff: [String], _ style: Style) -> String {
        diff.map { line in
            "  " + (line.hasPrefix("+") ? style.green(line) : line.hasPrefix("-") ? style.red(line) : line) + "\n"
        }.joined()
    }
}
