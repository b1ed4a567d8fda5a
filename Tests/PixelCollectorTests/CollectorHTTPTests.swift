import PixelCollector
import PixelCore
import PixelPulseTesting
import Testing
import ZeroMQ

/// The HTTP surface of a real collector, forwarding to a real ROUTER.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct CollectorHTTPTests {
    private static let gif: [UInt8] = [
        0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00,
        0x00, 0xff, 0xff, 0xff, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00,
        0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b,
    ]

    private func expectGIF(_ response: TestResponse, body: Bool = true, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(response.status == 200, sourceLocation: sourceLocation)
        #expect(response.header("Content-Type") == "image/gif", sourceLocation: sourceLocation)
        #expect(response.header("Content-Length") == "43", sourceLocation: sourceLocation)
        #expect(response.header("Cache-Control") == "no-store, no-cache, must-revalidate, max-age=0", sourceLocation: sourceLocation)
        #expect(response.header("Pragma") == "no-cache", sourceLocation: sourceLocation)
        #expect(response.header("Expires") == "0", sourceLocation: sourceLocation)
        #expect(response.body == (body ? Self.gif : []), sourceLocation: sourceLocation)
    }

    @Test func pixelAnswersTheExactGIFAndCountsTheHit() async throws {
        let context = try Context()
        let ingest = try IngestStandIn.start(context: context)
        let collector = try await RunningCollector.start(ingest: ingest.endpoint, context: context)

        try await TestHTTPConnection.with(port: collector.port) { connection in
            let response = try await connection.request("GET", "/p/spring/banner.gif")
            expectGIF(response)
            #expect(response.headers.map { $0.name.lowercased() }.sorted()
                == ["cache-control", "content-length", "content-type", "date", "expires", "pragma", "vary"])
            #expect(response.header("Vary") == "Origin")
            #expect(response.header("Date")?.hasSuffix(" GMT") == true)
            // HEAD answers the same headers with no body, and is not a hit.
            expectGIF(try await connection.request("HEAD", "/p/spring/banner.gif"), body: false)
            // Keep-alive: the same connection keeps answering.
            expectGIF(try await connection.request("GET", "/p/spring/banner.gif?e=click"))
        }
        let batches = await ingest.events(count: 2)
        let hits = batches.flatMap(\.hits)
        #expect(hits.map(\.kind) == [.view, .click])
        #expect(hits.allSatisfy { $0.campaign == "spring" && $0.pixel == "banner" })
        #expect(collector.sample("pixelpulse_collector_hits_total", #"kind="view""#) == 1)
        #expect(collector.sample("pixelpulse_collector_hits_total", #"kind="click""#) == 1)

        try await collector.stop()
        #expect(ingest.batches.drain().isEmpty)  // the HEAD never arrives
        await ingest.stop()
    }

    /// Browser and system from the agent; channel and referrer from the page's tags and
    /// `ref`, never from the pixel's own `Referer` (the page it is on).
    @Test func hitsCarryTheirSegments() async throws {
        let context = try Context()
        let ingest = try IngestStandIn.start(context: context)
        let collector = try await RunningCollector.start(ingest: ingest.endpoint, context: context)
        let iPhone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
        let headers = [("User-Agent", iPhone), ("Referer", "https://shop.example.com/spring")]
        for target in ["/p/spring/hero.gif?utm_source=Newsletter&ref=https%3A%2F%2Fwww.google.com%2F",
                       "/p/spring/hero.gif?ref=https%3A%2F%2Fwww.google.com%2Fsearch%3Fq%3Dshoes", "/p/spring/hero.gif"] {
            #expect(try await TestHTTPConnection.request(port: collector.port, "GET", target, headers: headers).status == 200)
        }
        let hits = await ingest.events(count: 3).flatMap(\.hits)
        #expect(hits.map(\.segments) == [
            HitSegments(browser: .safari, os: .iOS, channel: "newsletter", referrer: "google.com"),
            HitSegments(browser: .safari, os: .iOS, channel: "search", referrer: "google.com"),
            HitSegments(browser: .safari, os: .iOS, channel: "direct"),
        ])
        #expect(hits.allSatisfy { $0.device == .mobile })
        try await collector.stop()
    }

    @Test func beaconAnswers204() async throws {
        let context = try Context()
        let ingest = try IngestStandIn.start(context: context)
        let collector = try await RunningCollector.start(ingest: ingest.endpoint, context: context)

        let response = try await TestHTTPConnection.request(
            port: collector.port, "POST", "/p/spring/signup?e=conversion&v=4900&id=order-7",
            headers: [("Content-Type", "text/plain")], body: Array("{\"any\":\"thing\"}".utf8))
        #expect(response.status == 204)
        #expect(response.body.isEmpty)
        let empty = try await TestHTTPConnection.request(port: collector.port, "POST", "/p/spring/signup", body: [])
        #expect(empty.status == 204)

        let hits = await ingest.events(count: 2).flatMap(\.hits)
        #expect(hits.count == 2)
        #expect(hits.first == HitEvent(
            time: try #require(hits.first?.time), kind: .conversion, campaign: "spring", pixel: "signup",
            value: 4900, visitor: hits.first?.visitor, eventID: EventID(text: "order-7"), device: .unknown,
            segments: HitSegments(channel: "direct")))
        #expect(hits.last?.kind == .view)

        try await collector.stop()
        await ingest.stop()
    }

    @Test func healthReadinessMetricsAndErrors() async throws {
        let context = try Context()
        let ingest = try IngestStandIn.start(context: context)
        let collector = try await RunningCollector.start(ingest: ingest.endpoint, context: context)

        try await TestHTTPConnection.with(port: collector.port) { connection in
            let health = try await connection.request("GET", "/healthz")
            #expect(health.status == 200)
            #expect(health.text == "ok\n")
            #expect(try await connection.request("GET", "/nope").status == 404)
            #expect(try await connection.request("GET", "/").status == 404)
            #expect(try await connection.request("GET", "/pixel.gif").status == 404)
            #expect(try await connection.request("GET", "/p").status == 404)
            #expect(try await connection.request("POST", "/elsewhere", body: [1, 2, 3]).status == 404)
            let wrongMethod = try await connection.request("DELETE", "/p/c/p.gif")
            #expect(wrongMethod.status == 405)
            #expect(wrongMethod.header("Allow") == "GET, HEAD, POST, OPTIONS")
            #expect(try await connection.request("POST", "/healthz", body: []).status == 405)
            #expect(try await connection.request("PUT", "/metrics", body: []).status == 405)
        }
        #expect(try await eventually {
            try await TestHTTPConnection.request(port: collector.port, "GET", "/readyz").status == 200
        })

        _ = try await TestHTTPConnection.request(port: collector.port, "GET", "/p/c/p.gif?e=bogus")
        let metrics = try await TestHTTPConnection.request(port: collector.port, "GET", "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
        #expect(RunningCollector.sample(in: metrics.text, "pixelpulse_collector_rejected_total", #"reason="unknown_kind""#) == 1)
        #expect(RunningCollector.sample(in: metrics.text, "pixelpulse_collector_http_errors_total", #"status="404""#) == 5)
        #expect(RunningCollector.sample(in: metrics.text, "pixelpulse_collector_http_errors_total", #"status="405""#) == 3)
        #expect(RunningCollector.sample(in: metrics.text, "pixelpulse_collector_aggregator_up") == 1)

        try await collector.stop()
        await ingest.stop()
    }

    /// Every kind of bad input still gets its image (or 204, or 404), is counted by reason,
    /// and never reaches the aggregator.
    @Test func badInputIsAnsweredCountedAndNeverForwarded() async throws {
        let context = try Context()
        let ingest = try IngestStandIn.start(context: context)
        let collector = try await RunningCollector.start(ingest: ingest.endpoint, context: context)
        let long65 = String(repeating: "a", count: 65)
        let cases: [(method: String, target: [UInt8], status: Int, reason: String?)] = [
            ("GET", Array("/p/bad!id/p.gif".utf8), 200, "invalid_campaign"),
            ("GET", Array("/p/\(long65)/p.gif".utf8), 200, "invalid_campaign"),
            ("GET", Array("/p/c/p%201.gif".utf8), 200, "invalid_pixel"),
            ("GET", Array("/p/c/\(long65).gif".utf8), 200, "invalid_pixel"),
            ("GET", Array("/p/c/p.gif?e=purchase".utf8), 200, "unknown_kind"),
            ("GET", Array("/p/c/p.gif?e=conversion&v=12.50".utf8), 200, "invalid_value"),
            ("GET", Array("/p/c/p.gif?e=conversion&v=1000000000001".utf8), 200, "invalid_value"),
            ("GET", Array("/p/c/p.gif?id=\(String(repeating: "x", count: 129))".utf8), 200, "invalid_event_id"),
            ("GET", Array("/p/c/p.gif?id=%G1".utf8), 200, "malformed_query"),
            ("GET", Array("/p/c/p.gif?id=%C3%28".utf8), 200, "malformed_query"),
            ("GET", Array("/p/c/p.gif?cb=\(String(repeating: "9", count: 64 * 1024))".utf8), 200, "query_too_long"),
            ("GET", Array("/p/c/p".utf8), 200, "missing_gif"),
            ("GET", Array("/p/c".utf8), 200, "malformed_path"),
            ("GET", Array("/p/c/p/extra.gif".utf8), 200, "malformed_path"),
            ("POST", Array("/p/bad!id/p".utf8), 204, "invalid_campaign"),
            ("POST", Array("/p/c/p?e=nope".utf8), 204, "unknown_kind"),
            ("GET", Array("/x/c/p.gif".utf8), 404, nil),
            ("GET", Array("/%2e%2e/etc/passwd".utf8), 404, nil),
        ]
        try await TestHTTPConnection.with(port: collector.port) { connection in
            for item in cases {
                let response = try await connection.request(item.method, target: item.target, body: item.method == "POST" ? [] : nil)
                #expect(response.status == item.status, "\(item.method) \(String(decoding: item.target.prefix(60), as: UTF8.self))")
                if item.status == 200 { expectGIF(response) }
            }
        }
        // A beacon body over 64 KiB: 413, connection closed, not counted.
        try await TestHTTPConnection.with(port: collector.port) { connection in
            let response = try await connection.request("POST", "/p/c/p", body: [UInt8](repeating: 0x61, count: 64 * 1024 + 1))
            #expect(response.status == 413)
            #expect(response.header("Connection") == "close")
        }

        // A valid hit last: once it arrives, anything forwarded before it would have too.
        _ = try await TestHTTPConnection.request(port: collector.port, "GET", "/p/sentinel/last.gif")
        let batches = await ingest.events(count: 1)
        #expect(batches.flatMap(\.hits).map(\.campaign) == ["sentinel"])

        var expected: [String: Int] = ["body_too_large": 1]
        for item in cases { if let reason = item.reason { expected[reason, default: 0] += 1 } }
        for (reason, count) in expected {
            #expect(collector.sample("pixelpulse_collector_rejected_total", "reason=\"\(reason)\"") == count, "\(reason)")
        }
        #expect(collector.sample("pixelpulse_collector_hits_total", #"kind="view""#) == 1)

        try await collector.stop()
        #expect(ingest.batches.drain().isEmpty)
        await ingest.stop()
    }

    /// Requests beyond SwiftNIO's 80 KiB limit for the request line and headers get a
    /// clean 400 and a closed connection; the server keeps serving.
    @Test func oversizeRequestsAreRefusedCleanly() async throws {
        let context = try Context()
        let ingest = try IngestStandIn.start(context: context)
        let collector = try await RunningCollector.start(ingest: ingest.endpoint, context: context)

        try await TestHTTPConnection.with(port: collector.port) { connection in
            let response = try await connection.request("GET", "/p/c/p.gif?x=\(String(repeating: "a", count: 100_000))")
            #expect(response.status == 400)
            #expect(await connection.isClosedByServer())
        }
        try await TestHTTPConnection.with(port: collector.port) { connection in
            let response = try await connection.request(
                "GET", "/p/c/p.gif", headers: [("X-Huge", String(repeating: "h", count: 100_000))])
            #expect(response.status == 400)
            #expect(await connection.isClosedByServer())
        }
        // Raw bytes that are not ASCII (invalid UTF-8 here) are not HTTP: the parser refuses them.
        try await TestHTTPConnection.with(port: collector.port) { connection in
            let response = try await connection.request("GET", target: Array("/p/c/p.gif?id=".utf8) + [0xff, 0xfe])
            #expect(response.status == 400)
            #expect(await connection.isClosedByServer())
        }
        try await TestHTTPConnection.with(port: collector.port) { connection in
            try await connection.send(Array("NOT-HTTP\r\n\r\n".utf8))
            let response = try await connection.readResponse()
            #expect(response?.status == 400)
            #expect(await connection.isClosedByServer())
        }
        let after = try await TestHTTPConnection.request(port: collector.port, "GET", "/healthz")
        #expect(after.status == 200)
        #expect(collector.sample("pixelpulse_collector_http_errors_total", #"status="400""#) == 4)
        #expect(collector.sample("pixelpulse_collector_hits_total", #"kind="view""#) == 0)

        try await collector.stop()
        await ingest.stop()
    }

    @Test func connectionCloseAndHTTP10AreHonoured() async throws {
        let context = try Context()
        let ingest = try IngestStandIn.start(context: context)
        let collector = try await RunningCollector.start(ingest: ingest.endpoint, context: context)

        try await TestHTTPConnection.with(port: collector.port) { connection in
            let response = try await connection.request("GET", "/p/c/p.gif", headers: [("Connection", "close")])
            expectGIF(response)
            #expect(response.header("Connection") == "close")
            #expect(await connection.isClosedByServer())
        }
        try await TestHTTPConnection.with(port: collector.port) { connection in
            try await connection.send(Array("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n".utf8))
            let response = try #require(try await connection.readResponse())
            #expect(response.status == 200)
            #expect(response.header("Connection") == "keep-alive")
            try await connection.send(Array("GET /healthz HTTP/1.0\r\n\r\n".utf8))
            #expect(try await connection.readResponse()?.header("Connection") == "close")
            #expect(await connection.isClosedByServer())
        }
        try await collector.stop()
        await ingest.stop()
    }
}
