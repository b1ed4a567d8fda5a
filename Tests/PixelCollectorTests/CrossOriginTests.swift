@testable import PixelCollector
import PixelCore
import PixelPulseTesting
import Testing
import ZeroMQ

/// CORS on the pixel route, byte for byte over a raw connection: preflights allowed and
/// refused, and the headers of answers to requests with an `Origin`.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct CrossOriginTests {
    static let shop = "https://shop.example"

    private func names(_ response: TestResponse) -> [String] {
        response.headers.map { $0.name.lowercased() }.sorted()
    }

    @Test func aPreflightForAJSONBeaconIsAllowedWithExactHeaders() async throws {
        let context = try Context()
        let ingest = try IngestStandIn.start(context: context)
        let collector = try await RunningCollector.start(ingest: ingest.endpoint, context: context)

        let response = try await TestHTTPConnection.request(port: collector.port, "OPTIONS", "/p/spring/signup", headers: [
            ("Origin", Self.shop), ("Access-Control-Request-Method", "POST"), ("Access-Control-Request-Headers", "Content-Type"),
        ])
        #expect(response.status == 204)
        #expect(response.body.isEmpty)
        #expect(names(response) == [
            "access-control-allow-credentials", "access-control-allow-headers", "access-control-allow-methods",
            "access-control-allow-origin", "access-control-max-age", "date", "vary",
        ])
        #expect(response.header("Access-Control-Allow-Origin") == Self.shop)
        #expect(response.header("Access-Control-Allow-Credentials") == "true")
        #expect(response.header("Access-Control-Allow-Methods") == "GET, POST, OPTIONS")
        #expect(response.header("Access-Control-Allow-Headers") == "content-type")
        #expect(response.header("Access-Control-Max-Age") == "7200")
        #expect(response.header("Vary") == "Origin, Access-Control-Request-Method, Access-Control-Request-Headers")

        try await TestHTTPConnection.with(port: collector.port) { connection in
            // No headers asked for: Content-Type is allowed anyway. Several: exactly those.
            let bare = try await connection.request("OPTIONS", "/p/c/p", headers: [("Origin", "null"), ("Access-Control-Request-Method", "GET")])
            #expect(bare.status == 204)
            #expect(bare.header("Access-Control-Allow-Origin") == "null")
            #expect(bare.header("Access-Control-Allow-Headers") == "content-type")
            let several = try await connection.request("OPTIONS", "/p/c/p", headers: [
                ("Origin", "http://localhost:3000"), ("Access-Control-Request-Method", "POST"),
                ("Access-Control-Request-Headers", "content-type, Accept-Language"),
            ])
            #expect(several.header("Access-Control-Allow-Headers") == "content-type, accept-language")
            // An OPTIONS that is no preflight says what the route allows.
            let plain = try await connection.request("OPTIONS", "/p/c/p")
            #expect(plain.status == 204)
            #expect(plain.header("Allow") == "GET, HEAD, POST, OPTIONS")
            #expect(plain.header("Access-Control-Allow-Origin") == nil)
        }
        #expect(collector.sample("pixelpulse_collector_hits_total", #"kind="view""#) == 0)
        try await collector.stop()
        #expect(ingest.batches.drain().isEmpty)  // a preflight is never a hit
        await ingest.stop()
    }

    @Test func answersToAnAllowedOriginCarryItAndStillCount() async throws {
        let context = try Context()
        let ingest = try IngestStandIn.start(context: context)
        let collector = try await RunningCollector.start(ingest: ingest.endpoint, context: context)

        try await TestHTTPConnection.with(port: collector.port) { connection in
            let pixel = try await connection.request("GET", "/p/spring/fetch.gif", headers: [("Origin", Self.shop)])
            #expect(pixel.status == 200)
            #expect(pixel.body == StaticResponses.transparentGIF)
            #expect(pixel.header("Content-Length") == "43")
            #expect(pixel.header("Access-Control-Allow-Origin") == Self.shop)
            #expect(pixel.header("Access-Control-Allow-Credentials") == "true")
            #expect(pixel.header("Vary") == "Origin")
            #expect(pixel.header("Cache-Control") == "no-store, no-cache, must-revalidate, max-age=0")

            let beacon = try await connection.request(
                "POST", "/p/spring/beacon", headers: [("Origin", Self.shop), ("Content-Type", "application/json")],
                body: Array(#"{"page":"/"}"#.utf8))
            #expect(beacon.status == 204)
            #expect(beacon.header("Access-Control-Allow-Origin") == Self.shop)
            #expect(beacon.header("Vary") == "Origin")

            let head = try await connection.request("HEAD", "/p/spring/fetch.gif", headers: [("Origin", Self.shop)])
            #expect(head.header("Access-Control-Allow-Origin") == Self.shop)
            #expect(head.header("Content-Length") == "43")

            // An <img> sends no Origin: no CORS headers, only Vary.
            let image = try await connection.request("GET", "/p/spring/img.gif")
            #expect(image.header("Access-Control-Allow-Origin") == nil)
            #expect(image.header("Vary") == "Origin")
            // Keep-alive goes on after the longer answers.
            #expect(try await connection.request("GET", "/healthz").text == "ok\n")
        }
        let hits = await ingest.events(count: 3).flatMap(\.hits)
        #expect(hits.map(\.pixel) == ["fetch", "beacon", "img"])
        try await collector.stop()
        await ingest.stop()
    }

    @Test func anAllowlistRefusesOtherOriginsPreflightsByReasonButNeverACount() async throws {
        let context = try Context()
        let ingest = try IngestStandIn.start(context: context)
        let collector = try await RunningCollector.start(ingest: ingest.endpoint, context: context) {
            $0.allowedOrigins = try! AllowedOrigins(parsing: "\(Self.shop), http://127.0.0.1:8000")
        }
        let preflight = { (origin: String, method: String, headers: String) in
            [("Origin", origin), ("Access-Control-Request-Method", method), ("Access-Control-Request-Headers", headers)]
        }
        try await TestHTTPConnection.with(port: collector.port) { connection in
            let allowed = try await connection.request("OPTIONS", "/p/c/p", headers: preflight(Self.shop, "POST", "content-type"))
            #expect(allowed.status == 204)
            #expect(allowed.header("Access-Control-Allow-Origin") == Self.shop)
            let other = try await connection.request("OPTIONS", "/p/c/p", headers: preflight("https://evil.example", "POST", "content-type"))
            #expect(other.status == 403)
            #expect(other.text == "cross-origin request refused: the origin is not in --cors-origins\n")
            #expect(other.header("Access-Control-Allow-Origin") == nil)
            let method = try await connection.request("OPTIONS", "/p/c/p", headers: preflight(Self.shop, "PUT", ""))
            #expect(method.status == 403)
            #expect(method.text == "cross-origin request refused: only GET, HEAD and POST are allowed\n")
            let header = try await connection.request("OPTIONS", "/p/c/p", headers: preflight(Self.shop, "POST", "content-type, x-trace"))
            #expect(header.status == 403)
            #expect(header.text == "cross-origin request refused: the only request header allowed is Content-Type\n")
            for origin in ["null", "https://shop.example.evil", "http://shop.example"] {
                #expect(try await connection.request("OPTIONS", "/p/c/p", headers: preflight(origin, "GET", "")).status == 403, "\(origin)")
            }

            // A request that needs no preflight still counts, but its answer is not shared.
            let simple = try await connection.request("POST", "/p/c/plain", headers: [("Origin", "https://evil.example")], body: Array("x".utf8))
            #expect(simple.status == 204)
            #expect(simple.header("Access-Control-Allow-Origin") == nil)
            let listed = try await connection.request("GET", "/p/c/listed.gif", headers: [("Origin", "http://127.0.0.1:8000")])
            #expect(listed.header("Access-Control-Allow-Origin") == "http://127.0.0.1:8000")
        }
        let hits = await ingest.events(count: 2).flatMap(\.hits)
        #expect(hits.map(\.pixel) == ["plain", "listed"])
        #expect(collector.sample("pixelpulse_collector_rejected_total", #"reason="cors_origin""#) == 4)
        #expect(collector.sample("pixelpulse_collector_rejected_total", #"reason="cors_method""#) == 1)
        #expect(collector.sample("pixelpulse_collector_rejected_total", #"reason="cors_headers""#) == 1)
        #expect(collector.sample("pixelpulse_collector_http_errors_total", #"status="403""#) == 6)
        try await collector.stop()
        await ingest.stop()
    }

    @Test func originsParse() throws {
        #expect(try AllowedOrigins(parsing: "*") == .any)
        #expect(try AllowedOrigins(parsing: " * ") == .any)
        #expect(try AllowedOrigins(parsing: "https://Shop.Example, http://127.0.0.1:8080,https://a.example:443")
            == .only(["https://shop.example", "http://127.0.0.1:8080", "https://a.example"]))
        #expect(try AllowedOrigins(parsing: "http://[::1]:3000") == .only(["http://[::1]:3000"]))
        let refusals: [(String, String)] = [
            ("", "give * or a comma-separated list of origins"),
            ("*, https://a.example", "* stands alone: it allows every origin"),
            ("https://a.example/", #""https://a.example/" is not an origin: give scheme://host[:port], no path, such as https://shop.example"#),
            ("a.example", #""a.example" is not an origin: give scheme://host[:port], no path, such as https://shop.example"#),
            ("https://a.example:0", #""https://a.example:0" is not an origin: give scheme://host[:port], no path, such as https://shop.example"#),
            ("https://user@a.example", #""https://user@a.example" is not an origin: give scheme://host[:port], no path, such as https://shop.example"#),
        ]
        for (text, message) in refusals {
            #expect(throws: AllowedOrigins.ParseError(message: message), "\(text)") { try AllowedOrigins(parsing: text) }
        }
        let only = try AllowedOrigins(parsing: "https://shop.example")
        #expect(only.allows("https://shop.example"))
        #expect(only.allows("HTTPS://SHOP.EXAMPLE"))
        #expect(!only.allows("https://shop.example:8443"))
        #expect(!only.allows("null"))
        #expect(AllowedOrigins.any.allows("null"))
        // Never echoed, whatever the list: a value that could break the header.
        #expect(!AllowedOrigins.any.allows("https://a.example\u{7f}"))
        #expect(!AllowedOrigins.any.allows("https://a example"))
        #expect(!AllowedOrigins.any.allows("https://" + String(repeating: "a", count: 250)))
    }
}
