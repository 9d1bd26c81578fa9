import Synchronization

/// A short word that many steps share, a fence language (`bash`) or an interpreter: kept once in
/// this process and held as its 4-byte number (0: none), where an optional string took 16 bytes
/// in every step. Equal words have equal numbers, so equality and hashing are the number's.
struct SharedWord: Sendable, Hashable {
    private let number: UInt32

    /// The words so far, by number (0 is none), and each word's number.
    private static let table = Mutex<(words: [String], numbers: [String: UInt32])>(([""], [:]))

    init(_ word: String?) {
        guard let word else {
            number = 0
            return
        }
        number = Self.table.withLock { table in
            if let known = table.numbers[word] { return known }
            let next = UInt32(table.words.count)
            table.words.append(word)
            table.numbers[word] = next
            return next
        }
    }

    var string: String? {
        guard number != 0 else { return nil }
        return Self.table.withLock { $0.words[Int(number)] }
    }
}
