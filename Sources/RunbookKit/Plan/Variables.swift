#if canImport(Glibc)
    import Glibc
#endif

/// Expands `$NAME` and `${NAME}` from `values` (unknown names become empty), for `dir` and `env` values.
/// With `keepUnknown`, a name `values` lacks stays as written (for display).
func expandVariables(_ text: String, _ values: [String: String], keepUnknown: Bool = false) -> String {
    guard text.contains("$") else { return text }
    let bytes = Array(text.utf8)
    var out = [UInt8]()
    var i = 0
    func isNameByte(_ b: UInt8, first: Bool) -> Bool {
        (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 95 || (!first && b >= 48 && b <= 57)
    }
    while i < bytes.count {
        if bytes[i] == UInt8(ascii: "$"), i + 1 < bytes.count {
            var j = i + 1
            let braced = bytes[j] == UInt8(ascii: "{")
            if braced { j += 1 }
            let start = j
            while j < bytes.count && isNameByte(bytes[j], first: j == start) { j += 1 }
            if j > start && (!braced || (j < bytes.count && bytes[j] == UInt8(ascii: "}"))) {
                let name = String(decoding: bytes[start..<j], as: UTF8.self)
                let end = braced ? j + 1 : j
                if let value = values[name] {
                    out.append(contentsOf: Array(value.utf8))
                } else if keepUnknown {
                    out.append(contentsOf: bytes[i..<end])
                }
                i = end
                continue
            }
        }
        out.append(bytes[i])
        i += 1
    }
    return String(decoding: out, as: UTF8.self)
}

/// Finds `program` on `PATH` (or checks an absolute path); nil when not found or not executable.
func findExecutable(_ program: String, path: String?) -> String? {
    if program.contains("/") { return access(program, X_OK) == 0 ? program : nil }
    for dir in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
        let candidate = "\(dir)/\(program)"
        if access(candidate, X_OK) == 0 { return candidate }
    }
    return nil
}

/// Interpreter paths found on PATH, by name and PATH, so a run looks each up once.
final class ExecutableCache {
    private var found: [String: String] = [:]

    /// `findExecutable`, remembered when found.
    func find(_ name: String, path: String?) -> String? {
        let key = name + "\u{0}" + (path ?? "")
        if let hit = found[key] { return hit }
        let result = findExecutable(name, path: path)
        if let result { found[key] = result }
        return result
    }
}
