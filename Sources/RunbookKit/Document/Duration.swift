/// Parses a duration: `30s`, `2m`, `1h30m`, `500ms`, `1.5h`, or a bare number of seconds.
///
/// Returns nil when the text is not a duration.
func parseDuration(_ text: String) -> Double? {
    let bytes = Array(text.utf8)
    guard !bytes.isEmpty else { return nil }
    if let plain = Double(text), plain.isFinite, plain >= 0, bytes.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == 46 }) {
        return plain
    }
    var total = 0.0
    var i = 0
    var sawPart = false
    while i < bytes.count {
        var j = i
        while j < bytes.count && ((bytes[j] >= 48 && bytes[j] <= 57) || bytes[j] == 46) { j += 1 }
        guard j > i, let number = Double(String(decoding: bytes[i..<j], as: UTF8.self)) else { return nil }
        var k = j
        while k < bytes.count && bytes[k] >= 97 && bytes[k] <= 122 { k += 1 }
        let unit = String(decoding: bytes[j..<k], as: UTF8.self)
        switch unit {
        case "ms": total += number / 1000
        case "s": total += number
        case "m": total += number * 60
        case "h": total += number * 3600
        case "d": total += number * 86400
        default: return nil
        }
        sawPart = true
        i = k
    }
    return sawPart ? total : nil
}
