import Foundation

/// The fence info string split into language and raw attributes.
struct InfoString {
    /// The first word, as written.
    var language: String
    /// Attributes in order; `column` is an offset into the info string (0-based).
    var attributes: [RawAttribute]
    /// Syntax errors, each with its offset in the info string.
    var errors: [(offset: Int, message: String)]
    /// Whether the info string had an attribute block at all.
    var hasAttributeBlock: Bool
}

struct RawAttribute {
    var key: String
    var value: String?
    var offset: Int
}

enum InfoStringParser {
    /// Splits `bash {id=x timeout=2m confirm}`, Runme's `sh { name=x interactive=true }`
    /// and the JSON form `sh {"name":"x","interactive":true}`.
    static func parse(_ info: String) -> InfoString {
        var result = InfoString(language: "", attributes: [], errors: [], hasAttributeBlock: false)
        parse(info, into: &result)
        return result
    }

    /// `parse(_:)` into `result`, reusing its arrays' storage: for parsing one info string after another.
    static func parse(_ info: String, into result: inout InfoString) {
        result.attributes.removeAll(keepingCapacity: true)
        result.errors.removeAll(keepingCapacity: true)
        result.hasAttributeBlock = false
        var info = info
        info.withUTF8 { parse(bytes: $0, into: &result) }
    }

    private static func parse(bytes: UnsafeBufferPointer<UInt8>, into result: inout InfoString) {
        var i = 0
        while i < bytes.count && isBlank(bytes[i]) { i += 1 }
        let languageStart = i
        while i < bytes.count && !isBlank(bytes[i]) && bytes[i] != UInt8(ascii: "{") { i += 1 }
        let language = String(decoding: bytes[languageStart..<i], as: UTF8.self)
        result.language = language
        while i < bytes.count && isBlank(bytes[i]) { i += 1 }
        guard i < bytes.count else { return }
        guard bytes[i] == UInt8(ascii: "{") else {
            result.errors.append(
                (
                    i,
                    "attributes must be written in braces after the language, e.g. '\(language.isEmpty ? "bash" : language) {id=restart-web timeout=2m}'; found '\(String(decoding: bytes[i...], as: UTF8.self))'"
                ))
            return
        }
        result.hasAttributeBlock = true
        var end = bytes.count
        while end > i && isBlank(bytes[end - 1]) { end -= 1 }
        guard bytes[end - 1] == UInt8(ascii: "}"), end - 1 > i else {
            result.errors.append((i, "attribute block opened with '{' is never closed with '}'"))
            return
        }
        var inner = i + 1
        while inner < end - 1 && isBlank(bytes[inner]) { inner += 1 }
        if inner < end - 1 && bytes[inner] == UInt8(ascii: "\"") {
            parseJSON(UnsafeBufferPointer(rebasing: bytes[i..<end]), offset: i, into: &result)
        } else {
            parseKeyValues(bytes, from: i + 1, to: end - 1, into: &result)
        }
    }

    private static func isBlank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }

    private static func isKeyByte(_ b: UInt8) -> Bool {
        (b >= 97 && b <= 122) || (b >= 65 && b <= 90) || (b >= 48 && b <= 57) || b == 45 || b == 95 || b == 46
    }

    private static func parseKeyValues(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, into result: inout InfoString) {
        var i = start
        while i < end {
            if isBlank(bytes[i]) || bytes[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            let keyStart = i
            while i < end && isKeyByte(bytes[i]) { i += 1 }
            if i == keyStart {
                result.errors.append(
                    (i, "unexpected '\(String(decoding: [bytes[i]], as: UTF8.self))' in attributes; write them as key=value separated by spaces"))
                return
            }
            let key = String(decoding: bytes[keyStart..<i], as: UTF8.self)
            guard i < end, bytes[i] == UInt8(ascii: "=") else {
                if i < end && !isBlank(bytes[i]) && bytes[i] != UInt8(ascii: ",") {
                    result.errors.append((i, "unexpected '\(String(decoding: [bytes[i]], as: UTF8.self))' after attribute '\(key)'; write key=value"))
                    return
                }
                result.attributes.append(RawAttribute(key: key, value: nil, offset: keyStart))
                continue
            }
            i += 1  // '='
            if i >= end || isBlank(bytes[i]) {
                result.errors.append((keyStart, "attribute '\(key)' has '=' but no value; write \(key)=VALUE"))
                continue
            }
            let quote = bytes[i]
            if quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") {
                i += 1
                var value = [UInt8]()
                var closed = false
                while i < end {
                    let b = bytes[i]
                    if b == quote {
                        closed = true
                        i += 1
                        break
                    }
                    if b == UInt8(ascii: "\\") && quote == UInt8(ascii: "\"") && i + 1 < end {
                        value.append(bytes[i + 1])
                        i += 2
                        continue
                    }
                    value.append(b)
                    i += 1
                }
                if !closed {
                    result.errors.append((keyStart, "the value of attribute '\(key)' opens a quote that is never closed"))
                    return
                }
                result.attributes.append(RawAttribute(key: key, value: String(decoding: value, as: UTF8.self), offset: keyStart))
                if i < end && !isBlank(bytes[i]) && bytes[i] != UInt8(ascii: ",") {
                    result.errors.append((i, "expected a space after the quoted value of '\(key)'"))
                    return
                }
            } else {
                let valueStart = i
                while i < end && !isBlank(bytes[i]) && bytes[i] != UInt8(ascii: ",") || (i < end && bytes[i] == UInt8(ascii: ",") && key == "expect-exit") {
                    if bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "'") || bytes[i] == UInt8(ascii: "{") || bytes[i] == UInt8(ascii: "}") {
                        result.errors.append(
                            (i, "unexpected '\(String(decoding: [bytes[i]], as: UTF8.self))' in the value of '\(key)'; quote values that hold quotes or braces")
                        )
                        return
                    }
                    i += 1
                }
                result.attributes.append(RawAttribute(key: key, value: String(decoding: bytes[valueStart..<i], as: UTF8.self), offset: keyStart))
            }
        }
    }

    private static func parseJSON(_ slice: UnsafeBufferPointer<UInt8>, offset: Int, into result: inout InfoString) {
        let object: [String: JSONValue]
        do {
            object = try JSONDecoder().decode([String: JSONValue].self, from: Data(slice))
        } catch {
            result.errors.append((offset, "the attribute block looks like JSON but is not a JSON object of simple values"))
            return
        }
        // JSON objects are unordered; sort keys so the order is stable.
        for (key, value) in object.sorted(by: { $0.key < $1.key }) {
            func append(_ v: String?) { result.attributes.append(RawAttribute(key: key, value: v, offset: offset)) }
            switch value {
            case .scalar(let text): append(text)
            case .list(let items): append(items.joined(separator: ","))
            case .map(let map):
                guard key == "env" else {
                    result.errors.append((offset, "attribute '\(key)' takes a simple value, not a JSON object"))
                    continue
                }
                for (name, text) in map.sorted(by: { $0.key < $1.key }) { append("\(name)=\(text)") }
            }
        }
    }
}

/// A JSON attribute value: a scalar (as text), a list of scalars, or a map of scalars.
private enum JSONValue: Decodable {
    case scalar(String)
    case list([String])
    case map([String: String])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? Self.scalarText(container) {
            self = .scalar(text)
        } else if let list = try? container.decode([Scalar].self) {
            self = .list(list.map(\.text))
        } else {
            self = .map(try container.decode([String: Scalar].self).mapValues(\.text))
        }
    }

    private struct Scalar: Decodable {
        var text: String
        init(from decoder: any Decoder) throws { text = try JSONValue.scalarText(decoder.singleValueContainer()) }
    }

    private static func scalarText(_ container: any SingleValueDecodingContainer) throws -> String {
        if let b = try? container.decode(Bool.self) { return b ? "true" : "false" }
        if let i = try? container.decode(Int.self) { return String(i) }
        if let d = try? container.decode(Double.self) { return String(d) }
        return try container.decode(String.self)
    }
}

/// The attributes a code step may carry, and Runme's that are read or ignored.
enum AttributeSchema {
    static let known = [
        "id", "name", "timeout", "confirm", "retries", "on-failure", "interactive",
        "dir", "env", "skip", "idempotent", "expect-exit", "rehearse", "retry-delay",
    ]
    /// Runme's spellings with the same meaning.
    static let aliases = ["cwd": "dir", "excludeFromRunAll": "skip"]
    /// Runme attributes that have no meaning here: accepted with a warning so Runme files still check.
    static let ignoredRunme = [
        "background", "closeTerminalOnSuccess", "mimeType", "terminalRows", "promptEnv",
        "category", "tag", "interpreter", "openTerminalOnError",
    ]
    static let identifierPattern = "[A-Za-z0-9][A-Za-z0-9._-]*"
}

/// Checks whether `s` is an identifier as allowed for `id` and `name` values.
func isStepIdentifier(_ s: String) -> Bool {
    var s = s
    return s.withUTF8 { bytes in
        guard let first = bytes.first, bytes.count <= 128 else { return false }
        func alnum(_ b: UInt8) -> Bool { (b >= 97 && b <= 122) || (b >= 65 && b <= 90) || (b >= 48 && b <= 57) }
        return alnum(first) && bytes.allSatisfy { alnum($0) || $0 == 46 || $0 == 95 || $0 == 45 }
    }
}

/// Checks whether `s` is a valid environment variable name.
func isEnvName(_ s: String) -> Bool {
    let bytes = s.utf8
    guard let first = bytes.first else { return false }
    func letter(_ b: UInt8) -> Bool { (b >= 97 && b <= 122) || (b >= 65 && b <= 90) || b == 95 }
    return letter(first) && bytes.allSatisfy { letter($0) || ($0 >= 48 && $0 <= 57) }
}

/// A problem with one attribute; `offset` is into the info string.
struct AttributeFinding {
    var severity: Severity
    var rule: String
    var offset: Int
    var message: String
}

/// Turns raw attributes into `StepAttributes`, reporting each bad one.
enum AttributeChecker {
    /// A known attribute; the raw value is its position in `AttributeSchema.known`.
    private enum Key: Int {
        case id, name, timeout, confirm, retries, onFailure, interactive, dir, env, skip, idempotent, expectExit, rehearse, retryDelay

        /// The attribute's name as in `AttributeSchema.known`.
        var name: String { AttributeSchema.known[rawValue] }
        /// This key's bit in a set of keys held as a bit mask.
        var bit: UInt16 { 1 << UInt16(rawValue) }
    }

    /// The known attribute a key names, after Runme aliases.
    private static func canonical(_ key: String) -> Key? {
        switch key {
        case "id": return .id
        case "name": return .name
        case "timeout": return .timeout
        case "confirm": return .confirm
        case "retries": return .retries
        case "on-failure": return .onFailure
        case "interactive": return .interactive
        case "dir", "cwd": return .dir
        case "env": return .env
        case "skip", "excludeFromRunAll": return .skip
        case "idempotent": return .idempotent
        case "expect-exit": return .expectExit
        case "rehearse": return .rehearse
        case "retry-delay": return .retryDelay
        default: return nil
        }
    }

    static func check(_ raw: [RawAttribute], columnBase: Int) -> (StepAttributes, [AttributeFinding]) {
        var attrs = StepAttributes()
        var findings: [AttributeFinding] = []
        check(raw, columnBase: columnBase, into: &attrs, findings: &findings)
        return (attrs, findings)
    }

    // Filling in `attrs` rather than returning a local spares a copy of the whole StepAttributes per step.
    private static func check(
        _ raw: [RawAttribute], columnBase: Int, into attrs: inout StepAttributes,
        findings: inout [AttributeFinding]
    ) {
        var seen: UInt16 = 0  // bits of the keys given so far
        // Set once all are read: a lone `id=` is then kept as its column only (StepAttributes.written).
        defer { attrs.written = raw.map { WrittenAttribute(key: $0.key, value: $0.value, column: columnBase + $0.offset) } }
        for attribute in raw {
            guard let key = canonical(attribute.key) else {
                findings.append(unknownKeyFinding(attribute))
                continue
            }
            if key != .env {
                if seen & key.bit != 0 {
                    findings.append(
                        AttributeFinding(
                            severity: .error, rule: "duplicate-attribute", offset: attribute.offset,
                            message: "attribute '\(key.name)' is given more than once"))
                    continue
                }
                seen |= key.bit
            }
            do throws(ValueProblem) {
                try apply(key, attribute, to: &attrs)
            } catch {
                findings.append(error.finding(for: attribute))
            }
        }
    }

    /// The finding for an attribute no known key or alias names: ignored if it is Runme's, else an error.
    private static func unknownKeyFinding(_ attribute: RawAttribute) -> AttributeFinding {
        if AttributeSchema.ignoredRunme.contains(attribute.key) {
            return AttributeFinding(
                severity: .warning, rule: "ignored-attribute", offset: attribute.offset,
                message: "Runme attribute '\(attribute.key)' has no effect in runbook and is ignored")
        }
        let all = AttributeSchema.known + Array(AttributeSchema.aliases.keys) + [RehearseForBlocks.attribute]
        let text =
            if let guess = closestMatch(to: attribute.key, in: all) {
                "unknown attribute '\(attribute.key)' (did you mean '\(guess)'?)"
            } else {
                "unknown attribute '\(attribute.key)'; known attributes: \(AttributeSchema.known.joined(separator: ", "))"
            }
        return AttributeFinding(severity: .error, rule: "unknown-attribute", offset: attribute.offset, message: text)
    }

    /// What is wrong with an attribute's value; at most one per attribute.
    private enum ValueProblem: Error {
        /// The value is not of the attribute's type; the text says what it takes.
        case expected(String)
        /// The same `env` variable is set again.
        case duplicateEnv(name: String)

        func finding(for attribute: RawAttribute) -> AttributeFinding {
            switch self {
            case .expected(let expectation):
                return AttributeFinding(
                    severity: .error, rule: "bad-attribute-value", offset: attribute.offset,
                    message: "attribute '\(attribute.key)' \(expectation), not '\(attribute.value ?? "")'")
            case .duplicateEnv(let name):
                return AttributeFinding(
                    severity: .error, rule: "duplicate-attribute", offset: attribute.offset,
                    message: "env variable '\(name)' is set more than once")
            }
        }
    }

    /// Sets the field of `attrs` that `key` names from the attribute's value; a bad value leaves `attrs` as it was.
    private static func apply(_ key: Key, _ attribute: RawAttribute, to attrs: inout StepAttributes) throws(ValueProblem) {
        let value = attribute.value
        switch key {
        case .id, .name:
            guard let v = value, isStepIdentifier(v) else {
                throw .expected("must be letters, digits, '.', '_' or '-', starting with a letter or digit (at most 128)")
            }
            if key == .id { attrs.id = v } else { attrs.name = v }
        case .timeout: attrs.timeout = try timeout(value)
        case .confirm: attrs.confirm = try flag(value)
        case .interactive: attrs.interactive = try flag(value)
        case .idempotent: attrs.idempotent = try flag(value)
        case .retries:
            guard let v = value, let n = Int(v), n >= 0, n <= 100 else { throw .expected("takes a whole number from 0 to 100") }
            attrs.retries = n
        case .onFailure:
            guard let v = value, let policy = FailurePolicy(rawValue: v) else {
                throw .expected("takes one of \(FailurePolicy.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            attrs.onFailure = policy
        case .dir:
            guard let v = value, !v.isEmpty else { throw .expected("takes a directory path") }
            attrs.dir = v
        case .env:
            let variable = try envVariable(value)
            if attrs.env.contains(where: { $0.name == variable.name }) { throw .duplicateEnv(name: variable.name) }
            attrs.env.append(variable)
        case .skip:
            applySkip(attribute, to: &attrs)
        case .expectExit:
            attrs.expectExit = try exitCodes(value)
        case .rehearse:
            guard let v = value, !v.trimmingSpaces().isEmpty else { throw .expected("takes the command a rehearsal runs instead of the step") }
            attrs.rehearse = v
        case .retryDelay:
            guard let v = value, let seconds = parseDuration(v), seconds >= 0, seconds <= 3600 else {
                throw .expected("takes a duration from 0s to 1h (the wait before the first retry; it doubles each time)")
            }
            attrs.retryDelay = seconds
        }
    }

    /// A flag's value: none or `true`, or `false`.
    private static func flag(_ value: String?) throws(ValueProblem) -> Bool {
        switch value {
        case nil, "true": return true
        case "false": return false
        default: throw .expected("takes true or false (or no value, meaning true)")
        }
    }

    /// `none`, or a duration of more than zero and at most 7 days.
    private static func timeout(_ value: String?) throws(ValueProblem) -> StepTimeout {
        if value == "none" { return StepTimeout.none }
        guard let v = value, let seconds = parseDuration(v) else {
            throw .expected("takes a duration such as 30s, 2m, 1h30m (or none)")
        }
        guard seconds > 0 else { throw .expected("must be more than zero; write timeout=none for no limit") }
        guard seconds <= 7 * 86400 else { throw .expected("must be at most 7 days") }
        return .seconds(seconds)
    }

    /// `NAME=value` with a valid variable name.
    private static func envVariable(_ value: String?) throws(ValueProblem) -> EnvVar {
        guard let v = value, let eq = v.firstIndex(of: "="), isEnvName(String(v[..<eq])) else {
            throw .expected("takes NAME=value (repeat env= for more variables)")
        }
        return EnvVar(name: String(v[..<eq]), value: String(v[v.index(after: eq)...]))
    }

    /// `skip`, `skip=true|false` or `skip=REASON`; Runme's `excludeFromRunAll` gives itself as the reason.
    private static func applySkip(_ attribute: RawAttribute, to attrs: inout StepAttributes) {
        switch attribute.value {
        case nil, "true": attrs.skip = true
        case "false": attrs.skip = false
        case let reason?:
            attrs.skip = true
            attrs.skipReason = reason
        }
        if attribute.key == "excludeFromRunAll" && attrs.skip && attrs.skipReason == nil {
            attrs.skipReason = "excludeFromRunAll"
        }
    }

    /// Exit codes 0 to 255 separated by commas, repeats dropped.
    private static func exitCodes(_ value: String?) throws(ValueProblem) -> [Int32] {
        guard let v = value else { throw .expected("takes exit codes such as 0 or 0,1") }
        var codes: [Int32] = []
        for part in v.split(separator: ",", omittingEmptySubsequences: false) {
            guard let n = Int32(part.trimmingCharacters(in: .whitespaces)), n >= 0, n <= 255 else {
                throw .expected("takes exit codes from 0 to 255 separated by commas, such as 0,1")
            }
            if !codes.contains(n) { codes.append(n) }
        }
        return codes
    }
}
