/// A step's prose or code, kept as where it stands in the runbook file's bytes when it is exactly
/// those bytes (prose always; the code of a fence that is not indented, nearly every step), else as
/// bytes of its own. One copy of the file then serves every step for the whole run, where each step
/// held its own strings (the code of a one-line `echo` took 64 bytes a step; prose as many bytes
/// as it has, plus 32). Read, it is a new `String` each time.
struct FileText: Sendable, Hashable {
    private let store: FileBytes
    private let start: UInt32
    private let count: UInt32

    /// Text of its own.
    init(_ string: String) {
        if string.isEmpty {
            self.init(store: .empty, start: 0, count: 0)
        } else {
            let bytes = Array(string.utf8)
            self.init(store: FileBytes(bytes), start: 0, count: UInt32(bytes.count))
        }
    }

    /// `store.bytes[range]`, which must be valid UTF-8 (the parser's normalised source is).
    init(_ store: FileBytes, _ range: Range<Int>) {
        self.init(store: store, start: UInt32(range.lowerBound), count: UInt32(range.count))
    }

    /// `string` as the bytes of `store` from `start` when they are the same, else a copy.
    init(_ string: String, in store: FileBytes, at start: Int) {
        let utf8 = string.utf8
        if !utf8.isEmpty, start >= 0, start + utf8.count <= store.bytes.count,
            store.bytes[start..<(start + utf8.count)].elementsEqual(utf8)
        {
            self.init(store, start..<(start + utf8.count))
        } else {
            self.init(string)
        }
    }

    private init(store: FileBytes, start: UInt32, count: UInt32) {
        self.store = store
        self.start = start
        self.count = count
    }

    private var bytes: ArraySlice<UInt8> { store.bytes[Int(start)..<Int(start + count)] }

    var string: String { count == 0 ? "" : String(decoding: bytes, as: UTF8.self) }

    var isEmpty: Bool { count == 0 }

    /// SHA-256 (hex) of the text's bytes, read where they are.
    var sha256Hex: String { SHA256.hex(bytes) }

    /// The same SHA-256, as its 32 bytes.
    var sha256Digest: HexDigest { SHA256.digest(bytes) }

    /// Whether both texts are stretches of the same bytes (of one parsed file), neither empty.
    func sharesBytes(with other: FileText) -> Bool { store === other.store && count > 0 && other.count > 0 }

    static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.count == rhs.count && (lhs.store === rhs.store && lhs.start == rhs.start || lhs.bytes.elementsEqual(rhs.bytes))
    }

    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}

/// Written and read as the string it is (a text read back has bytes of its own).
extension FileText: Codable {
    init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(String.self))
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(string)
    }
}

/// Bytes that steps' texts share: the runbook file's normalised bytes (one per parse), or one
/// text's own.
final class FileBytes: Sendable {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    static let empty = FileBytes([])
}
