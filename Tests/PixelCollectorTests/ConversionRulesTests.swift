import Foundation
import NIOHTTP1
@testable import PixelCollector
import PixelCore
import Testing

/// Reported conversions: parsing bodies and postback queries, the rules each item must
/// satisfy, the answer, and the token check.
struct ConversionRulesTests {
    static let now: Int64 = 1_800_000_000_000
    static let rules = ConversionRules(currency: "EUR") { token in
        token == "good-click"
            ? .success((campaign: "spring", link: "fb-ad"))
            : .failure(ConversionRefusal(.clickID, "click_id: the signature does not match"))
    }

    static func item(_ json: String) throws -> ConversionItem {
        let items = try ConversionRequest.items(json: Array("{\"conversions\":[\(json)]}".utf8)).get()
        return try #require(items.first)
    }

    @Test func aClickIDAttributesToItsCampaignAndLink() throws {
        let hit = try Self.rules.hit(for: Self.item(#"{"click_id":"good-click","event_id":"order-1","value":4999,"currency":"EUR"}"#), now: Self.now).get()
        #expect(hit == HitEvent(time: Self.now, kind: .conversion, campaign: "spring", pixel: "fb-ad", value: 4999, eventID: EventID(text: "order-1")))
    }

    @Test func campaignAndPixelNameTheKey() throws {
        let hit = try Self.rules.hit(for: Self.item(#"{"campaign":"spring","pixel":"checkout","event_id":"o-2","time":1799999990000}"#), now: Self.now).get()
        #expect(hit.campaign == "spring" && hit.pixel == "checkout" && hit.time == 1_799_999_990_000 && hit.value == nil)
    }

    @Test(arguments: [
        (#"{"click_id":"forged","event_id":"a"}"#, ConversionRefusal.Reason.clickID),
        (#"{"click_id":7,"event_id":"a"}"#, .clickID),
        (#"{"event_id":"a"}"#, .target),
        (#"{"campaign":"spring","event_id":"a"}"#, .target),
        (#"{"click_id":"good-click","campaign":"spring","pixel":"p","event_id":"a"}"#, .target),
        (#"{"campaign":"spr ing","pixel":"p","event_id":"a"}"#, .campaign),
        (#"{"campaign":"spring","pixel":"a/b","event_id":"a"}"#, .pixel),
        (#"{"click_id":"good-click"}"#, .eventID),
        (#"{"click_id":"good-click","event_id":""}"#, .eventID),
        (#"{"click_id":"good-click","event_id":42}"#, .eventID),
        (#"{"click_id":"good-click","event_id":"a","value":49.99}"#, .value),
        (#"{"click_id":"good-click","event_id":"a","value":-1}"#, .value),
        (#"{"click_id":"good-click","event_id":"a","value":1000000000001}"#, .value),
        (#"{"click_id":"good-click","event_id":"a","value":"12a"}"#, .value),
        (#"{"click_id":"good-click","event_id":"a","currency":"USD"}"#, .currency),
        (#"{"click_id":"good-click","event_id":"a","currency":"eur"}"#, .currency),
        (#"{"click_id":"good-click","event_id":"a","time":"yesterday"}"#, .time),
        (#"{"click_id":"good-click","event_id":"a","time":1000}"#, .time),
        (#"{"click_id":"good-click","event_id":"a","time":1800000600000}"#, .time),
        (#""just text""#, .item),
        (#"[1,2]"#, .item),
    ])
    func invalidItemsNameTheirReason(json: String, reason: ConversionRefusal.Reason) throws {
        let outcome = Self.rules.hit(for: try Self.item(json), now: Self.now)
        guard case .failure(let refusal) = outcome else {
            Issue.record("\(json) was taken")
            return
        }
        #expect(refusal.reason == reason, "\(json): \(refusal.message)")
        #expect(!refusal.message.isEmpty && !refusal.message.contains("\n"))
    }

    @Test func timesAreMillisecondsOrRFC3339() throws {
        let rfc = try Self.rules.hit(for: Self.item(#"{"campaign":"c","pixel":"p","event_id":"a","time":"2027-01-15T08:00:00.250Z"}"#), now: Self.now).get()
        let seconds = try #require(ISO8601DateFormatter().date(from: "2027-01-15T08:00:00Z")).timeIntervalSince1970
        #expect(rfc.time == Int64(seconds * 1000) + 250)
        let digits = try Self.rules.hit(for: Self.item(#"{"campaign":"c","pixel":"p","event_id":"a","time":"1799999000000"}"#), now: Self.now).get()
        #expect(digits.time == 1_799_999_000_000)
    }

    @Test func bodiesThatAreNotABatchAreRefusedWhole() {
        for body in ["", "{", "[]", #"{"items":[]}"#, #"{"conversions":{}}"#, "null"] {
            guard case .failure(let refusal) = ConversionRequest.items(json: Array(body.utf8)) else {
                Issue.record("\(body) was read")
                continue
            }
            #expect(refusal.reason == .malformedJSON)
        }
        let many = "{\"conversions\":[" + Array(repeating: "{}", count: ConversionRequest.maxItems + 1).joined(separator: ",") + "]}"
        #expect((try? ConversionRequest.items(json: Array(many.utf8)).get()) == nil)
        #expect(ConversionRequest.items(json: Array(#"{"conversions":[],"source":"crm"}"#.utf8)) == .success([]))
    }

    @Test func postbackQueriesAreDecodedAndEmptyMacrosAreAbsent() throws {
        let (item, token) = try ConversionRequest.postback(
            target: "/v1/postback?click_id=abc%2Bd&event_id=order+7&value=&currency=EUR&token=s3cret&sub=x").get()
        #expect(token == "s3cret")
        #expect(item.fields == ["click_id": .text("abc+d"), "event_id": .text("order 7"), "currency": .text("EUR")])
        #expect((try? ConversionRequest.postback(target: "/v1/postback?event_id=%ZZ").get()) == nil)
        #expect((try? ConversionRequest.postback(target: "/v1/postback?event_id=%FF").get()) == nil, "not UTF-8")
    }

    @Test func theAnswerListsEveryFateInOrder() throws {
        let report = ConversionReport(fates: [
            .accepted, .duplicate, .invalid(ConversionRefusal(.value, "value must be an integer")), .pending,
        ])
        #expect(report.status.code == 202)
        let json = try JSONSerialization.jsonObject(with: Data(report.json())) as! [String: Any]
        #expect(json["accepted"] as? Int == 1 && json["duplicate"] as? Int == 1 && json["invalid"] as? Int == 1 && json["pending"] as? Int == 1)
        let items = json["items"] as! [[String: String]]
        #expect(items.map { $0["status"]! } == ["accepted", "duplicate", "invalid", "pending"])
        #expect(items[2]["reason"] == "value" && items[2]["error"] == "value must be an integer")
        #expect(ConversionReport(fates: [.accepted, .duplicate]).status.code == 200)
        #expect(ConversionReport(fates: [.failed("full")]).status.code == 503)
        #expect(ConversionReport.fate(.tooLate) == .invalid(ConversionRefusal(.tooLate, "time is older than the aggregator's windows and grace period: too late to count")))
    }

    @Test func tokensAreComparedWhole() throws {
        let tokens = ConversionTokens(["0123456789abcdef-one", "0123456789abcdef-two"])
        #expect(tokens.admits("0123456789abcdef-two"))
        #expect(!tokens.admits("0123456789abcdef-tw"))
        #expect(!tokens.admits("0123456789abcdef-twoo"))
        #expect(!tokens.admits(""))
        tokens.replace(with: ["fedcba9876543210-new"])
        #expect(!tokens.admits("0123456789abcdef-one") && tokens.admits("fedcba9876543210-new"))

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tokens-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        try "# the CRM\n  0123456789abcdef-crm  \n\n0123456789abcdef-affiliate\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(try ConversionTokens.read(file: file) == ["0123456789abcdef-crm", "0123456789abcdef-affiliate"])
        try "0123456789abcdef-crm\nshort\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: ConversionTokenFileError("\(file.path):2: a token of 5 bytes; tokens need at least 16 (make one with `openssl rand -hex 32`)")) {
            try ConversionTokens.read(file: file)
        }
    }
}
