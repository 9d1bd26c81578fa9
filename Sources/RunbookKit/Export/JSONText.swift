/// JSON written by hand for the part of an export there are many of (steps and their attempts),
/// straight into one string, laid out as `encodeJSON` lays it out (two-space indents,
/// `"key" : value`). Callers add each object's keys in sorted order (debug builds check it).
struct PrettyJSONWriter {
    private(set) var text = ""
    private var indent: String
    /// For each open object or array: whether nothing was written into it yet.
    private var empty: [Bool] = []
    /// For each open object: its last key.
    private var lastKeys: [String] = []

    /// A writer whose lines after the first are indented by `indent`.
    init(indent: String) { self.indent = indent }

    /// An object with the members `body` writes.
    mutating func object(_ body: (inout PrettyJSONWriter) -> Void) {
        open("{")
        lastKeys.append("")
        body(&self)
        lastKeys.removeLast()
        close("}")
    }

    mutating func string(_ key: String, _ value: String?) {
        guard let value else { return }
        member(key)
        text += JSONText.quoted(value)
    }

    mutating func int<T: BinaryInteger>(_ key: String, _ value: T?) {
        guard let value else { return }
        member(key)
        text += "\(value)"
    }

    mutating func bool(_ key: String, _ value: Bool?) {
        guard let value else { return }
        member(key)
        text += value ? "true" : "false"
    }

    /// A member whose value is an object.
    mutating func object(_ key: String, _ body: (inout PrettyJSONWriter) -> Void) {
        member(key)
        object(body)
    }

    mutating func strings(_ key: String, _ values: [String]?) {
        guard let values else { return }
        member(key)
        open("[")
        for value in values {
            element()
            text += JSONText.quoted(value)
        }
        close("]")
    }

    /// A member whose value is an array of objects, one per item.
    mutating func objects<Item>(_ key: String, _ items: [Item]?, _ body: (inout PrettyJSONWriter, Item) -> Void) {
        guard let items else { return }
        member(key)
        open("[")
        for item in items {
            element()
            object { body(&$0, item) }
        }
        close("]")
    }

    private mutating func member(_ key: String) {
        assert(lastKeys.last.map { $0 < key } ?? true, "JSON keys out of order: '\(lastKeys.last ?? "")' before '\(key)'")
        if !lastKeys.isEmpty { lastKeys[lastKeys.count - 1] = key }
        element()
        text += JSONText.quoted(key) + " : "
    }

    private mutating func element() {
        text += empty.last == true ? "\n" : ",\n"
        if !empty.isEmpty { empty[empty.count - 1] = false }
        text += indent
    }

    private mutating func open(_ bracket: String) {
        text += bracket
        empty.append(true)
        indent += "  "
    }

    private mutating func close(_ bracket: String) {
        indent.removeLast(2)
        let wasEmpty = empty.removeLast()
        text += wasEmpty ? bracket : "\n" + indent + bracket
    }
}

/// JSON text helpers.
enum JSONText {
    /// A JSON string: `"`, `\` and control characters escaped, `/` and non-ASCII as they are.
    static func quoted(_ text: String) -> String {
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) { return "\"" + text + "\"" }
        var out = "\""
        out.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// `JSONEncoder`'s pretty empty array (`[`, a line break, only white space, `]`) as `[]`. A JSON
    /// string never holds a raw line break, so this never touches one.
    static func collapsingEmptyArrays(_ json: String) -> String {
        var bytes = Array(json.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "[") {
                var end = index + 1
                while end < bytes.count, [0x20, 0x0A].contains(bytes[end]) { end += 1 }
                if end < bytes.count, bytes[end] == UInt8(ascii: "]"), bytes[(index + 1)..<end].contains(0x0A) {
                    out += Array("[]".utf8)
                    index = end + 1
                    continue
                }
            }
            out.append(bytes[index])
            index += 1
        }
        bytes = out
        return String(decoding: bytes, as: UTF8.self)
    }
}
