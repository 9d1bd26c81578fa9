import Foundation

/// The human form of `runbook show`: sections as an outline, each step with key, kind, line and attributes.
public struct PlanText {
    let runbook: Runbook
    let style: Style

    /// A renderer for `runbook`, coloured with `style`.
    public init(_ runbook: Runbook, style: Style) {
        self.runbook = runbook
        self.style = style
    }

    /// The whole plan as text, one line per item, ending with a newline.
    public func render() -> String {
        var out = ""
        let r = runbook
        out += style.bold(r.title ?? r.path) + "  " + style.dim(r.path) + "\n"
        if let description = r.description { out += description.trimmingSpaces() + "\n" }
        let code = r.steps.filter { $0.kind == .code }.count
        let manual = r.steps.count - code
        out += style.dim("sha256 \(r.sha256)") + "\n"
        out += "\(r.steps.count) step\(r.steps.count == 1 ? "" : "s") (\(code) code, \(manual) manual)"
        if !r.references.isEmpty { out += ", \(r.references.count) reference block\(r.references.count == 1 ? "" : "s") (never run)" }
        out += "\n"
        var defaults: [String] = ["shell=\(r.defaults.shell)"]
        if let t = r.defaults.timeout { defaults.append("timeout=\(t.display)") }
        if let d = r.defaults.dir { defaults.append("dir=\(d)") }
        for e in r.defaults.env { defaults.append("env \(e.name)=\(e.value)") }
        out += "defaults: " + defaults.joined(separator: " ") + "\n"
        if !r.params.isEmpty {
            out += "\n" + style.bold("Params") + "\n"
            for p in r.params {
                var traits: [String] = []
                if p.required { traits.append("required") }
                if p.secret { traits.append("secret") }
                if let d = p.defaultValue { traits.append("default=\(quoteIfNeeded(d))") }
                if let pattern = p.pattern { traits.append("pattern=\(pattern)") }
                out += "  \(style.cyan(p.name))"
                if !traits.isEmpty { out += "  " + traits.joined(separator: " ") }
                if let d = p.description { out += style.dim("  — \(d)") }
                out += "\n"
            }
        }
        out += "\n" + style.bold("Steps") + "\n"
        let width = String(r.steps.count).count
        var nextSection = 0
        func printSections(through index: Int) {
            // Every heading up to the step's own, including those that hold no step directly.
            while nextSection <= index && nextSection < r.sections.count {
                let section = r.sections[nextSection]
                out += String(repeating: "  ", count: max(section.level - 1, 0))
                out += style.bold(String(repeating: "#", count: section.level) + " " + section.title)
                out += style.dim("  line \(section.line)") + "\n"
                nextSection += 1
            }
        }
        for step in r.steps {
            if let s = step.section { printSections(through: s) }
            let indent = String(repeating: "  ", count: step.section.map { r.sections[$0].level } ?? 0)
            let number = String(repeating: " ", count: width - String(step.number).count) + "\(step.number)."
            var kind = step.kind == .manual ? "manual" : (step.language ?? "")
            if step.form == .transcript { kind += " transcript (\(step.commands?.count ?? 0) command\(step.commands?.count == 1 ? "" : "s"))" }
            out += "\(indent)\(number) \(style.cyan(step.key))  \(kind)  line \(step.line)"
            let attrs = attributeSummary(step)
            if !attrs.isEmpty { out += "  " + style.yellow(attrs) }
            out += "\n"
            if step.kind == .manual || step.title != step.section.map({ r.sections[$0].title }) {
                out += "\(indent)\(String(repeating: " ", count: width + 2))\(style.dim(step.title))\n"
            }
            if let block = step.rehearsal {
                let text = "rehearse-for block  \(block.language)  line \(block.line) (runs instead of the step in a rehearsal)"
                out += "\(indent)\(String(repeating: " ", count: width + 2))" + style.magenta(text) + "\n"
            }
            if !step.placeholders.isEmpty {
                var seen = Set<String>()
                let names = step.placeholders.filter { seen.insert($0.token).inserted }.map { "\($0.token) (\($0.name))" }
                out += "\(indent)\(String(repeating: " ", count: width + 2))" + style.yellow("placeholders: " + names.joined(separator: ", ")) + "\n"
            }
        }
        if r.steps.isEmpty { out += "  (none)\n" }
        return out
    }

    private func attributeSummary(_ step: Step) -> String {
        var parts: [String] = []
        for attribute in step.attributes.written where attribute.key != "id" && attribute.key != "name" {
            parts.append(attribute.value.map { "\(attribute.key)=\(quoteIfNeeded($0))" } ?? attribute.key)
        }
        if step.kind == .code, step.attributes.timeout == nil, let t = runbook.defaults.timeout {
            parts.append("timeout=\(t.display) (default)")
        }
        if step.checked == true { parts.append("ticked in file") }
        return parts.joined(separator: " ")
    }
}

func quoteIfNeeded(_ s: String) -> String {
    s.isEmpty || s.contains(where: { $0 == " " || $0 == "\"" }) ? "\"\(s.replacingOccurrences(of: "\"", with: "\\\""))\"" : s
}
