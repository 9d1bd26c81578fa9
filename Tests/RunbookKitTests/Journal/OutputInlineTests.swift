import Foundation
import Testing

@testable import RunbookKit

@Suite("base64 of the few output bytes a step_end carries")
struct OutputInlineTests {
    @Test("every byte value and every length up to 2048 round-trips, and matches Foundation's encoding")
    func roundTrip() {
        let all = (0..<2048).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        for length in [0, 1, 2, 3, 4, 5, 255, 256, 257, 1000, 2047, 2048] {
            let bytes = Array(all.prefix(length))
            let text = base64Encoded(bytes)
            #expect(text == Data(bytes).base64EncodedString(), "length \(length)")
            #expect(base64Decoded(text) == bytes, "length \(length)")
        }
    }

    @Test("malformed base64 is refused, not decoded to something else")
    func malformed() {
        #expect(base64Decoded("abc") == nil)
        #expect(base64Decoded("ab$=") == nil)
        #expect(base64Decoded("a===") == nil)
        #expect(base64Decoded("") == [])
    }
}
