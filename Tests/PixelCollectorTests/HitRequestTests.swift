@testable import PixelCollector
import PixelCore
import Testing

@Suite struct HitRequestTests {
    private static let long64 = String(repeating: "a", count: 64)
    private static let long65 = String(repeating: "a", count: 65)

    @Test func readsPathAndParameters() {
        #expect(HitRequest.parse(target: "/p/c1/p1.gif", style: .image)
            == .hit(HitRequest(campaign: "c1", pixel: "p1", kind: .view)))
        #expect(HitRequest.parse(target: "/p/Spring-2026_x/banner.top.gif?e=click&cb=12345", style: .image)
            == .hit(HitRequest(campaign: "Spring-2026_x", pixel: "banner.top", kind: .click)))
        #expect(HitRequest.parse(target: "/p/c/p.gif?e=conversion&v=1999&id=order%2F42+a", style: .image)
            == .hit(HitRequest(campaign: "c", pixel: "p", kind: .conversion, value: 1999, eventID: EventID(text: "order/42 a"))))
        #expect(HitRequest.parse(target: "/p/\(Self.long64)/\(Self.long64).gif?v=5", style: .image)
            == .hit(HitRequest(campaign: CampaignID(unchecked: Self.long64), pixel: PixelID(unchecked: Self.long64), kind: .view)))
        // v is ignored on views; the last repeated key counts; unknown keys are not examined.
        #expect(HitRequest.parse(target: "/p/c/p.gif?e=bogus&e=conversion&v=1&v=7&x=%zz", style: .image)
            == .hit(HitRequest(campaign: "c", pixel: "p", kind: .conversion, value: 7)))
        #expect(HitRequest.parse(target: "/p/c/p.gif?v=not-a-number", style: .image)
            == .hit(HitRequest(campaign: "c", pixel: "p", kind: .view)))
        #expect(HitRequest.parse(target: "/p/c/p.gif?e=conversion&v=1000000000000", style: .image)
            == .hit(HitRequest(campaign: "c", pixel: "p", kind: .conversion, value: HitEvent.maxValue)))
        #expect(HitRequest.parse(target: "/p/c/p?e=click", style: .beacon)
            == .hit(HitRequest(campaign: "c", pixel: "p", kind: .click)))
        #expect(HitRequest.parse(target: "/p/c/p.gif", style: .beacon)
            == .hit(HitRequest(campaign: "c", pixel: "p", kind: .view)))
        #expect(HitRequest.parse(target: "/p/c/p.gif?", style: .image)
            == .hit(HitRequest(campaign: "c", pixel: "p", kind: .view)))
        #expect(HitRequest.parse(target: "/p/c/p.gif?id=\(String(repeating: "x", count: 128))", style: .image)
            == .hit(HitRequest(campaign: "c", pixel: "p", kind: .view, eventID: EventID(text: String(repeating: "x", count: 128)))))
    }

    @Test(arguments: [
        ("/p/c!/p.gif", RejectReason.invalidCampaign),
        ("/p//p.gif", .invalidCampaign),
        ("/p/\(long65)/p.gif", .invalidCampaign),
        ("/p/c%31/p.gif", .invalidCampaign),
        ("/p/c/p%20x.gif", .invalidPixel),
        ("/p/c/.gif", .invalidPixel),
        ("/p/c/\(long65).gif", .invalidPixel),
        ("/p/c/p", .missingGIF),
        ("/p/c/p.png", .missingGIF),
        ("/p/c", .malformedPath),
        ("/p/", .malformedPath),
        ("/p/c/p/q.gif", .malformedPath),
        ("/p/c/p.gif?e=purchase", .unknownKind),
        ("/p/c/p.gif?e=bot", .unknownKind),
        ("/p/c/p.gif?e=", .unknownKind),
        ("/p/c/p.gif?e=VIEW", .unknownKind),
        ("/p/c/p.gif?e=conversion&v=abc", .invalidValue),
        ("/p/c/p.gif?e=conversion&v=-5", .invalidValue),
        ("/p/c/p.gif?e=conversion&v=", .invalidValue),
        ("/p/c/p.gif?e=conversion&v=1000000000001", .invalidValue),
        ("/p/c/p.gif?e=conversion&v=99999999999999999999", .invalidValue),
        ("/p/c/p.gif?id=", .invalidEventID),
        ("/p/c/p.gif?id=\(String(repeating: "x", count: 129))", .invalidEventID),
        ("/p/c/p.gif?id=%ZZ", .malformedQuery),
        ("/p/c/p.gif?id=%4", .malformedQuery),
        ("/p/c/p.gif?e=%", .malformedQuery),
        ("/p/c/p.gif?id=%FF%FE", .malformedQuery),
        ("/p/c/p.gif?id=caf\u{E9}", .malformedQuery),
        ("/p/c/p.gif?id=a b", .malformedQuery),
        ("/p/c/p.gif?x=\(String(repeating: "y", count: HitRequest.maxQueryLength))", .queryTooLong),
    ])
    func rejects(target: String, reason: RejectReason) {
        #expect(HitRequest.parse(target: target, style: .image) == .rejected(reason))
    }

    @Test func routesByPathOnly() {
        #expect(Route(target: "/p/c/p.gif?x") == .pixel)
        #expect(Route(target: "/p/") == .pixel)
        #expect(Route(target: "/p") == .notFound)
        #expect(Route(target: "/healthz") == .health)
        #expect(Route(target: "/healthz?verbose") == .health)
        #expect(Route(target: "/healthz/") == .notFound)
        #expect(Route(target: "/readyz") == .readiness)
        #expect(Route(target: "/metrics") == .metrics)
        #expect(Route(target: "/") == .notFound)
        #expect(Route(target: "http://host/p/c/p.gif") == .notFound)
        #expect(Route(target: "*") == .notFound)
    }
}
