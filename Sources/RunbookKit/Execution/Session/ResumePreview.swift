/// The lines of a resume's step list: one a step, except that a stretch of steps in a row that
/// finished alike (the same outcome, the code unchanged) or that are all still to run is one line,
/// so a long run's list does not push what needs a decision off the screen.
struct ResumePreview {
    struct Row: Equatable {
        var label: String
        var key: String
        var detail: String = ""
    }

    private(set) var rows: [Row] = []
    /// How many steps the folded lines stand for.
    private(set) var folded = 0

    init(_ plan: ResumePlan) {
        // A stretch of foldable rows alike (label and detail), not yet written.
        var stretch = Stretch<Row>()
        func flush() {
            if stretch.folds, let first = stretch.first.first, let last = stretch.last {
                let detail = "\(stretch.count) steps" + (first.detail.isEmpty ? "" : ", " + first.detail)
                rows.append(Row(label: first.label, key: "\(first.key) … \(last.key)", detail: detail))
                folded += stretch.count
            } else {
                rows += stretch.first
            }
            stretch.removeAll()
        }
        for step in plan.steps {
            let row = Self.row(step)
            let foldable: Bool
            switch step.decision {
            case .run, .done: foldable = true
            default: foldable = false
            }
            if let last = stretch.last, !foldable || last.label != row.label || last.detail != row.detail { flush() }
            if foldable {
                stretch.append(row)
            } else {
                rows.append(row)
            }
        }
        flush()
        for removed in plan.removed {
            rows.append(
                Row(
                    label: "removed", key: removed.key,
                    detail: removed.finished.map { "finished \($0)" } ?? (removed.unknown ? "outcome unknown" : "never finished")))
        }
    }

    private static func row(_ step: ResumePlan.StepPlan) -> Row {
        switch step.decision {
        case .run: Row(label: "to run", key: step.key)
        case .done(let status): Row(label: "finished", key: step.key, detail: status)
        case .changed(let status, _): Row(label: "changed", key: step.key, detail: "finished \(status); its code changed since")
        case .unknown(_, let change, _):
            Row(label: "unknown", key: step.key, detail: "started, outcome never recorded" + (change == nil ? "" : "; its code changed since"))
        case .stillRunning(let pid): Row(label: "running", key: step.key, detail: "pid \(pid)")
        case .added: Row(label: "added", key: step.key, detail: "new since the run started")
        case .renamed(let from, let finished):
            Row(label: "renamed", key: step.key, detail: "same code as \(from)" + (finished.map { ", which finished \($0)" } ?? ""))
        }
    }
}

/// Steps in a row that a run goes past alike (the same mark and words: "✔ … ok earlier in this
/// run", "· … not selected (--from KEY)"): a line each, or one line for the stretch when it has
/// `Folding.minimum` or more, naming the first and last and how many.
struct PassedOver {
    let mark: String
    let what: String
    private var steps = Stretch<(number: Int, key: String)>()

    init(_ step: Step, mark: String, _ what: String) {
        self.mark = mark
        self.what = what
        steps.append((step.number, step.key))
    }

    /// Takes `step` into the stretch when it comes right after it and is gone past alike.
    mutating func extend(_ step: Step, mark: String, _ what: String) -> Bool {
        guard mark == self.mark, what == self.what, let last = steps.last, step.number == last.number + 1 else { return false }
        steps.append((step.number, step.key))
        return true
    }

    /// What the screen shows of it, of a runbook of `total` steps.
    func lines(total: Int) -> [String] {
        guard steps.folds, let start = steps.first.first, let end = steps.last else {
            return steps.first.map { "\(mark) step \($0.number)/\(total) [\($0.key)] \(what)" }
        }
        return ["\(mark) steps \(start.number)–\(end.number)/\(total) [\(start.key) … \(end.key)] \(what) (\(steps.count) steps)"]
    }
}
