/// Standard base64 (RFC 4648, with `=` padding), for the few output bytes a journal record holds.
private let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

/// `bytes` in base64.
func base64Encoded(_ bytes: [UInt8]) -> String {
    var out: [UInt8] = []
    out.reserveCapacity((bytes.count + 2) / 3 * 4)
    var index = 0
    while index < bytes.count {
        let b0 = bytes[index]
        let b1 = index + 1 < bytes.count ? bytes[index + 1] : 0
        let b2 = index + 2 < bytes.count ? bytes[index + 2] : 0
        out.append(alphabet[Int(b0 >> 2)])
        out.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
        out.append(index + 1 < bytes.count ? alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "="))
        out.append(index + 2 < bytes.count ? alphabet[Int(b2 & 0x3F)] : UInt8(ascii: "="))
        index += 3
    }
    return String(decoding: out, as: UTF8.self)
}

/// The bytes `text` encodes in base64; nil when it is not well-formed base64.
func base64Decoded(_ text: String) -> [UInt8]? {
    let chars = Array(text.utf8)
    guard chars.count % 4 == 0 else { return nil }
    func value(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return c - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return c - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): return 62
        case UInt8(ascii: "/"): return 63
        default: return nil
        }
    }
    var out: [UInt8] = []
    out.reserveCapacity(chars.count / 4 * 3)
    var index = 0
    while index < chars.count {
        let last = index + 4 == chars.count
        let pad = last ? (chars[index + 3] == UInt8(ascii: "=") ? (chars[index + 2] == UInt8(ascii: "=") ? 2 : 1) : 0) : 0
        guard let v0 = value(chars[index]), let v1 = value(chars[index + 1]) else { return nil }
        let v2 = pad >= 2 ? 0 : value(chars[index + 2])
        let v3 = pad >= 1 ? 0 : value(chars[index + 3])
        guard let v2, let v3 else { return nil }
        out.append(v0 << 2 | v1 >> 4)
        if pad < 2 { out.append((v1 & 0x0F) << 4 | v2 >> 2) }
        if pad < 1 { out.append((v2 & 0x03) << 6 | v3) }
        index += 4
    }
    return out
}
