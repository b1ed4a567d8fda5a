@testable import PixelCollector
import PixelCore
import Testing

@Suite struct VisitorHashTests {
    /// The reference vectors of the SipHash paper: key 00…0f, message 00…(n-1).
    @Test(arguments: [
        (0, UInt64(0x726f_db47_dd0e_0e31)),
        (1, UInt64(0x74f8_39c5_93dc_67fd)),
        (15, UInt64(0xa129_ca61_49be_45e5)),
    ])
    func matchesReferenceVectors(length: Int, expected: UInt64) {
        let key0 = UInt64(0x0706_0504_0302_0100)
        let key1 = UInt64(0x0f0e_0d0c_0b0a_0908)
        let message = (0..<length).map { UInt8($0) }
        #expect(message.withUnsafeBytes { SipHasher.hash($0, key0: key0, key1: key1) } == expected)
        // The same message fed a byte at a time.
        var hasher = SipHasher(key0: key0, key1: key1)
        for byte in message { hasher.combine(byte) }
        #expect(hasher.finalize() == expected)
    }

    @Test func visitorHashRotatesDailyAndDependsOnTheSecret() {
        let hasher = VisitorHasher(secret: Array("shared secret".utf8))
        let day = hasher.key(forDay: 20_000)
        let visitor = day.visitor(address: "203.0.113.9", userAgent: "Mozilla/5.0")
        #expect(VisitorHasher(secret: Array("shared secret".utf8)).key(forDay: 20_000)
            .visitor(address: "203.0.113.9", userAgent: "Mozilla/5.0") == visitor)
        #expect(hasher.key(forDay: 20_001).visitor(address: "203.0.113.9", userAgent: "Mozilla/5.0") != visitor)
        #expect(day.visitor(address: "203.0.113.10", userAgent: "Mozilla/5.0") != visitor)
        #expect(day.visitor(address: "203.0.113.9", userAgent: "Mozilla/5.1") != visitor)
        // The separator keeps "a" + "bc" apart from "ab" + "c".
        #expect(day.visitor(address: "a", userAgent: "bc") != day.visitor(address: "ab", userAgent: "c"))
        #expect(VisitorHasher(secret: Array("other".utf8)).key(forDay: 20_000)
            .visitor(address: "203.0.113.9", userAgent: "Mozilla/5.0") != visitor)
    }

    @Test func dayNumbersAreUTC() {
        #expect(WallClock.day(ofMilliseconds: 0) == 0)
        #expect(WallClock.day(ofMilliseconds: 86_399_999) == 0)
        #expect(WallClock.day(ofMilliseconds: 86_400_000) == 1)
        #expect(WallClock.day(ofMilliseconds: -1) == -1)
    }
}
