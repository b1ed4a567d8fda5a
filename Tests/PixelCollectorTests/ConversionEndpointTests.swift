import Foundation
import PixelAggregator
import PixelCollector
import PixelCore
import PixelPulseTesting
import Testing
import ZeroMQ

/// `POST /v1/conversions` and `GET /v1/postback` over real HTTP, counted by a real
/// aggregator, each item answered with its fate.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct ConversionEndpointTests {
    static let token = "0123456789abcdef-test"
    static let bearer = [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")]

    static func body(_ items: String...) -> [UInt8] {
        Array("{\"conversions\":[\(items.joined(separator: ","))]}".utf8)
    }

    static func fates(_ response: TestResponse) throws -> [String] {
        let json = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        return try #require(json["items"] as? [[String: Any]]).map { item in
            [item["status"] as? String, item["reason"] as? String].compactMap { $0 }.joined(separator: ":")
        }
    }

    @Test func eachItemIsAnsweredWithItsFate() async throws {
        try await LiveAggregator.with { live in
            let collector = try await RunningCollector.start(ingest: live.endpoints.ingest, context: live.context) {
                $0.conversionTokens = ConversionTokens([Self.token])
            }
            let twoHoursAgo = WallClock.milliseconds() - 7_200_000
            let first = try await TestHTTPConnection.request(port: collector.port, "POST", "/v1/conversions", headers: Self.bearer, body: Self.body(
                #"{"campaign":"spring","pixel":"checkout","event_id":"order-1","value":4999}"#,
                #"{"campaign":"spring","pixel":"checkout","event_id":"order-1","value":4999}"#,
                #"{"campaign":"spring","pixel":"checkout","event_id":"order-2","value":1.5}"#,
                #"{"campaign":"spring","pixel":"checkout","event_id":"order-3","time":\#(twoHoursAgo)}"#))
            #expect(first.status == 200)
            #expect(first.header("Content-Type") == "application/json")
            #expect(try Self.fates(first) == ["accepted", "duplicate", "invalid:value", "invalid:too_late"])

            // Reported again, by the backend and by an affiliate network's GET: counted once.
            let again = try await TestHTTPConnection.request(port: collector.port, "POST", "/v1/conversions", headers: Self.bearer, body: Self.body(
                #"{"campaign":"spring","pixel":"checkout","event_id":"order-1","value":4999}"#))
            #expect(try Self.fates(again) == ["duplicate"])
            let postback = try await TestHTTPConnection.request(
                port: collector.port, "GET", "/v1/postback?campaign=spring&pixel=checkout&event_id=order-4&value=100&token=\(Self.token)")
            #expect(postback.status == 200)
            #expect(try Self.fates(postback) == ["accepted"])

            let counts = try #require(await live.aggregator.counts(campaign: "spring", pixel: "checkout"))
            #expect(counts[0].conversions == 2 && counts[0].value == 5099)
            #expect(collector.sample("pixelpulse_collector_conversions_total", #"fate="accepted""#) == 2)
            #expect(collector.sample("pixelpulse_collector_conversions_total", #"fate="duplicate""#) == 2)
            #expect(collector.sample("pixelpulse_collector_conversions_invalid_total", #"reason="too_late""#) == 1)
            try await collector.stop()
        }
    }

    @Test func throughASpoolTheFatesComeBackToo() async throws {
        let spool = FileManager.default.temporaryDirectory.appending(path: "pixelpulse-conversions-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: spool) }
        try await LiveAggregator.with { live in
            let collector = try await RunningCollector.start(ingest: live.endpoints.ingest, context: live.context) {
                $0.conversionTokens = ConversionTokens([Self.token])
                $0.spoolDirectory = spool
            }
            for expected in [["accepted", "accepted"], ["duplicate", "accepted"]] {
                let answer = try await TestHTTPConnection.request(port: collector.port, "POST", "/v1/conversions", headers: Self.bearer, body: Self.body(
                    #"{"campaign":"spooled","pixel":"p","event_id":"o-1"}"#,
                    #"{"campaign":"spooled","pixel":"p","event_id":"o-\#(expected[0] == "accepted" ? 2 : 3)"}"#))
                #expect(try Self.fates(answer) == expected)
            }
            #expect(try #require(await live.aggregator.counts(campaign: "spooled"))[0].conversions == 3)
            try await collector.stop()
        }
    }

    @Test func requestsWithoutAValidTokenOrBodyAreRefusedWhole() async throws {
        let context = try Context()
        let ingest = try IngestStandIn.start(context: context)
        let collector = try await RunningCollector.start(ingest: ingest.endpoint, context: context) {
            $0.conversionTokens = ConversionTokens([Self.token])
        }
        let item = Self.body(#"{"campaign":"c","pixel":"p","event_id":"e"}"#)
        for headers in [[("Authorization", "Bearer 0123456789abcdef-tesT")], [("Authorization", "Basic \(Self.token)")], []] {
            let response = try await TestHTTPConnection.request(port: collector.port, "POST", "/v1/conversions", headers: headers, body: item)
            #expect(response.status == 401 && response.header("WWW-Authenticate") == "Bearer")
            #expect(response.text.hasPrefix("conversions refused: a valid token is required"))
        }
        let wrongGet = try await TestHTTPConnection.request(port: collector.port, "GET", "/v1/postback?campaign=c&pixel=p&event_id=e&token=nope")
        #expect(wrongGet.status == 401)
        let malformed = try await TestHTTPConnection.request(port: collector.port, "POST", "/v1/conversions", headers: Self.bearer, body: Array("{\"conversions\":[".utf8))
        #expect(malformed.status == 400 && malformed.text.contains("the body must be JSON"))
        let huge = try await TestHTTPConnection.request(
            port: collector.port, "POST", "/v1/conversions", headers: Self.bearer, body: [UInt8](repeating: 0x20, count: (1 << 20) + 1))
        #expect(huge.status == 413)
        let wrongMethod = try await TestHTTPConnection.request(port: collector.port, "GET", "/v1/conversions")
        #expect(wrongMethod.status == 405 && wrongMethod.header("Allow") == "POST")

        #expect(collector.sample("pixelpulse_collector_conversion_requests_refused_total", #"reason="unauthorized""#) == 4)
        #expect(collector.sample("pixelpulse_collector_conversion_requests_refused_total", #"reason="malformed_json""#) == 1)
        #expect(collector.sample("pixelpulse_collector_conversion_requests_refused_total", #"reason="body_too_large""#) == 1)
        #expect(collector.sample("pixelpulse_collector_http_errors_total", #"status="401""#) == 4)
        #expect(ingest.batches.drain().isEmpty, "nothing refused was sent")
        try await collector.stop()
        await ingest.stop()
    }

    @Test func withoutTokensTheEndpointsAreOffAndSaySo() async throws {
        let context = try Context()
        let ingest = try IngestStandIn.start(context: context)
        let collector = try await RunningCollector.start(ingest: ingest.endpoint, context: context)
        let response = try await TestHTTPConnection.request(
            port: collector.port, "POST", "/v1/conversions", headers: Self.bearer, body: Self.body(#"{"campaign":"c","pixel":"p","event_id":"e"}"#))
        #expect(response.status == 401)
        #expect(response.text == "conversions refused: conversions are off: this collector has no tokens (--conversion-tokens-file or PIXELPULSE_CONVERSION_TOKENS)\n")
        #expect(collector.sample("pixelpulse_collector_conversion_requests_refused_total", #"reason="no_tokens""#) == 1)
        try await collector.stop()
        await ingest.stop()
    }

    @Test func unconfirmedItemsArePendingAndAnswersStayInOrder() async throws {
        let context = try Context()
        let ingest = try IngestStandIn.start(context: context, acknowledge: false)
        let collector = try await RunningCollector.start(ingest: ingest.endpoint, context: context) {
            $0.conversionTokens = ConversionTokens([Self.token])
            $0.conversionConfirmTimeout = .milliseconds(200)
            $0.ackTimeout = .seconds(30)
        }
        let body = Self.body(#"{"campaign":"c","pixel":"p","event_id":"e-1"}"#, #"{"campaign":"c","pixel":"p","event_id":"e-2","value":"x"}"#)
        // A report, then a pixel pipelined behind it on the same connection: the pixel's
        // answer waits for the report's.
        try await TestHTTPConnection.with(port: collector.port) { connection in
            var bytes = Array("POST /v1/conversions HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer \(Self.token)\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body
            bytes += Array("GET /p/c/after.gif HTTP/1.1\r\nHost: t\r\n\r\n".utf8)
            try await connection.send(bytes)
            let report = try #require(try await connection.readResponse())
            #expect(report.status == 202)
            #expect(try Self.fates(report) == ["pending", "invalid:value"])
            let pixel = try #require(try await connection.readResponse())
            #expect(pixel.status == 200 && pixel.header("Content-Type") == "image/gif")
        }
        let batches = await ingest.events(count: 2)
        let reported = try #require(batches.first { $0.reportsFates })
        #expect(reported.hits.map(\.eventID) == [EventID(text: "e-1")])
        #expect(batches.filter { !$0.reportsFates }.flatMap(\.hits).map(\.pixel) == ["after"])
        #expect(collector.sample("pixelpulse_collector_conversions_total", #"fate="pending""#) == 1)
        try await collector.stop()
        await ingest.stop()
    }
}
