/// A param's `pattern` in words a person reads at a prompt: `v[0-9]+\.[0-9]+` → "v, then one
/// or more digits, then ., then one or more digits". Only for the shapes runbooks use (literal
/// characters, character classes, `\d`, and `?` `*` `+` `{n}` `{m,n}` after them); nil for
/// anything else (groups, alternatives, anchors inside), where the prompt shows the pattern itself.
enum PatternWords {
    private struct Atom {
        /// "digit", "letter, digit or _", or a literal character.
        var singular: String
        var plural: String
        var literal: Bool
        var min = 1
        var max: Int? = 1
    }

    /// The words, or nil when the pattern is not one of the simple shapes.
    static func describe(_ pattern: String) -> String? {
        guard let atoms = parse(Array(pattern)), !atoms.isEmpty, atoms.count <= 8 else { return nil }
        var parts: [String] = []
        var literals = ""
        func flushLiterals() {
            if !literals.isEmpty { parts.append("'\(literals)'") }
            literals = ""
        }
        for atom in atoms {
            if atom.literal && atom.min == 1 && atom.max == 1 {
                literals += atom.singular
                continue
            }
            flushLiterals()
            parts.append(quantified(atom))
        }
        flushLiterals()
        return parts.joined(separator: ", then ")
    }

    private static func quantified(_ atom: Atom) -> String {
        let one = atom.literal ? "'\(atom.singular)'" : "a \(atom.singular)"
        let many = atom.literal ? "'\(atom.singular)'" : atom.plural
        switch (atom.min, atom.max) {
        case (1, 1): return one
        case (0, 1): return "optionally \(one)"
        case (0, nil): return "any number of \(many)"
        case (1, nil): return "one or more \(many)"
        case (let n, nil): return "\(n) or more \(many)"
        case (0, let m?): return "up to \(m) \(many)"
        case (let n, let m?) where n == m: return "exactly \(n) \(many)"
        case (let n, let m?): return "\(n) to \(m) \(many)"
        }
    }

    private static func parse(_ chars: [Character]) -> [Atom]? {
        var atoms: [Atom] = []
        var i = 0
        while i < chars.count {
            let c = chars[i]
            var atom: Atom
            switch c {
            case "[":
                guard let close = chars[(i + 1)...].firstIndex(of: "]"), close > i + 1, chars[i + 1] != "^" else { return nil }
                guard let (singular, plural) = describeClass(Array(chars[(i + 1)..<close])) else { return nil }
                atom = Atom(singular: singular, plural: plural, literal: false)
                i = close + 1
            case "\\":
                guard i + 1 < chars.count else { return nil }
                let e = chars[i + 1]
                if e == "d" {
                    atom = Atom(singular: "digit", plural: "digits", literal: false)
                } else if e.isLetter || e.isNumber {
                    return nil
                } else {
                    atom = Atom(singular: String(e), plural: String(e), literal: true)
                }
                i += 2
            case "(", ")", "|", "^", "$", ".", "?", "*", "+", "{", "}":
                return nil
            default:
                atom = Atom(singular: String(c), plural: String(c), literal: true)
                i += 1
            }
            if i < chars.count {
                switch chars[i] {
                case "?": (atom.min, atom.max, i) = (0, 1, i + 1)
                case "*": (atom.min, atom.max, i) = (0, nil, i + 1)
                case "+": (atom.min, atom.max, i) = (1, nil, i + 1)
                case "{":
                    guard let close = chars[i...].firstIndex(of: "}") else { return nil }
                    let inside = String(chars[(i + 1)..<close]).split(separator: ",", omittingEmptySubsequences: false)
                    guard let low = Int(inside.first ?? "") else { return nil }
                    if inside.count == 1 {
                        (atom.min, atom.max) = (low, low)
                    } else if inside.count == 2 {
                        (atom.min, atom.max) = (low, inside[1].isEmpty ? nil : Int(inside[1]))
                        if !inside[1].isEmpty && atom.max == nil { return nil }
                    } else {
                        return nil
                    }
                    i = close + 1
                default: break
                }
            }
            atoms.append(atom)
        }
        return atoms
    }

    /// `A-Za-z0-9_` → ("letter, digit or _", "letters, digits or _").
    private static func describeClass(_ body: [Character]) -> (String, String)? {
        var kinds: [(String, String)] = []
        var others: [String] = []
        var i = 0
        var lower = false
        var upper = false
        var digit = false
        while i < body.count {
            if i + 2 < body.count, body[i + 1] == "-" {
                switch (body[i], body[i + 2]) {
                case ("a", "z"): lower = true
                case ("A", "Z"): upper = true
                case ("0", "9"): digit = true
                default: return nil
                }
                i += 3
                continue
            }
            var c = body[i]
            if c == "\\" {
                guard i + 1 < body.count else { return nil }
                i += 1
                c = body[i]
                if c == "d" {
                    digit = true
                    i += 1
                    continue
                }
                if c.isLetter { return nil }
            }
            others.append(String(c))
            i += 1
        }
        if lower && upper {
            kinds.append(("letter", "letters"))
        } else if lower {
            kinds.append(("lower-case letter", "lower-case letters"))
        } else if upper {
            kinds.append(("capital letter", "capital letters"))
        }
        if digit { kinds.append(("digit", "digits")) }
        let singular = kinds.map(\.0) + others
        let plural = kinds.map(\.1) + others
        guard !singular.isEmpty else { return nil }
        func list(_ words: [String]) -> String {
            words.count == 1 ? words[0] : words.dropLast().joined(separator: ", ") + " or " + (words.last ?? "")
        }
        return (list(singular), list(plural))
    }
}
