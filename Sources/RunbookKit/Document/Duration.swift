/// Parses a duration: `30s`, `2m`, `1h30m`, `500ms`, `1.5h`, or a bare number of seconds.
///
/// Returns nil when the text is not a duration.
func parseDuration(_ text: String) -> Double? {
    var text = text
    return text.withUTF8 { parseDuration(bytes: $0) }
}

private func parseDuration(bytes: UnsafeBufferPointer<UInt8>) -> Double? {
    func isNumberByte(_ b: UInt8) -> Bool { (b >= 48 && b <= 57) || b == 46 }
    guard !bytes.isEmpty else { return nil }
    if bytes.allSatisfy(isNumberByte) {
        // A bare number of seconds; one that does not parse (`1.2.3`, `.`) is tried as parts below, and fails there too.
        if let plain = number(bytes[...]), plain.isFinite, plain >= 0 { return plain }
    }
    var total = 0.0
    var i = 0
    var sawPart = false
    while i < bytes.count {
        var j = i
        while j < bytes.count && isNumberByte(bytes[j]) { j += 1 }
        guard j > i, let number = number(bytes[i..<j]) else { return nil }
        var k = j
        while k < bytes.count && bytes[k] >= 97 && bytes[k] <= 122 { k += 1 }
        let unit = bytes[j..<k]
        if unit.elementsEqual("ms".utf8) {
            total += number / 1000
        } else if unit.elementsEqual("s".utf8) {
            total += number
        } else if unit.elementsEqual("m".utf8) {
            total += number * 60
        } else if unit.elementsEqual("h".utf8) {
            total += number * 3600
        } else if unit.elementsEqual("d".utf8) {
            total += number * 86400
        } else {
            return nil
        }
        sawPart = true
        i = k
    }
    return sawPart ? total : nil
}

/// The value of digits and dots, as `Double(String)` reads them.
private func number(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Double? {
    // Up to 15 plain digits are exact in a Double, as strtod would give them; anything else goes to strtod.
    if bytes.count <= 15, !bytes.contains(46) {
        var value = 0
        for b in bytes { value = value * 10 + Int(b - 48) }
        return Double(value)
    }
    return Double(String(decoding: bytes, as: UTF8.self))
}
