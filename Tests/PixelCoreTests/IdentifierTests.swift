import PixelCore
import Testing

@Suite struct IdentifierTests {
    @Test(arguments: ["c", "spring-sale_2026", "a.b.c", String(repeating: "x", count: 64)])
    func acceptsValidIds(_ text: String) throws {
        #expect(try CampaignID(validating: text).rawValue == text)
        #expect(PixelID(rawValue: text) != nil)
    }

    @Test func rejectsEmpty() {
        #expect(throws: IdentifierError.empty) { try CampaignID(validating: "") }
    }

    @Test func rejectsOverlong() {
        #expect(throws: IdentifierError.tooLong(length: 65)) {
            try PixelID(validating: String(repeating: "x", count: 65))
        }
    }

    @Test(arguments: [("a/b", 1), ("a b", 1), ("é", 0), ("a\u{0}", 1), ("x*", 1), ("%41", 0)])
    func rejectsBadBytes(_ text: String, offset: Int) throws {
        let error = try #require(throws: IdentifierError.self) { try CollectorID(validating: text) }
        guard case .invalidByte(_, let at) = error else {
            Issue.record("unexpected \(error)")
            return
        }
        #expect(at == offset)
        #expect(error.description.contains("allowed are"))
    }

    @Test func eventKindsParseTheirNames() {
        for kind in EventKind.allCases { #expect(EventKind(name: kind.name) == kind) }
        #expect(EventKind(name: "purchase") == nil)
        #expect(EventKind(name: "") == nil)
    }

    @Test func eventIDFingerprintsText() {
        #expect(EventID(text: "order-1") == EventID(text: "order-1"))
        #expect(EventID(text: "order-1") != EventID(text: "order-2"))
        #expect(EventID(text: "") == nil)
        #expect(EventID(text: String(repeating: "a", count: 129)) == nil)
        // FNV-1a 64 of "a", a published test vector.
        #expect(EventID(text: "a")?.rawValue == 0xaf63_dc4c_8601_ec8c)
    }

    @Test func ratesAreNilWithoutADenominator() {
        #expect(Counts().ctr == nil)
        #expect(Counts().cvr == nil)
        let counts = Counts(views: 200, clicks: 10, conversions: 2, value: 5000)
        #expect(counts.ctr == 0.05)
        #expect(counts.cvr == 0.2)
    }
}
