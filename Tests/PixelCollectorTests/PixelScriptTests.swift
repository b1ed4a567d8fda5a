@testable import PixelCollector
import PixelPulseTesting
import Testing
import ZeroMQ

/// `/p.js` over a raw connection: headers, size, revalidation.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct PixelScriptTests {
    @Test func theScriptIsSmallCacheableAndSetsNoCookie() async throws {
        let context = try Context()
        let ingest = try IngestStandIn.start(context: context)
        let collector = try await RunningCollector.start(ingest: ingest.endpoint, context: context)

        try await TestHTTPConnection.with(port: collector.port) { connection in
            let script = try await connection.request("GET", "/p.js")
            #expect(script.status == 200)
            #expect(script.headers.map { $0.name.lowercased() }.sorted() == [
                "cache-control", "content-length", "content-type", "date", "etag", "vary", "x-content-type-options",
            ])
            #expect(script.header("Content-Type") == "text/javascript; charset=utf-8")
            #expect(script.header("Cache-Control") == "public, max-age=3600")
            #expect(script.header("X-Content-Type-Options") == "nosniff")
            #expect(script.header("Vary") == "Origin")
            let tag = try #require(script.header("ETag"))
            #expect(tag.hasPrefix("\"p-") && tag.hasSuffix("\"") && tag.count == 20)
            #expect(script.body.count < 2048, "p.js is \(script.body.count) bytes")
            #expect(script.header("Content-Length") == String(script.body.count))
            #expect(script.body == PixelScript.source)
            for word in ["sendBeacon", "data-campaign", "data-pixel", "currentScript"] {
                #expect(script.text.contains(word), "\(word)")
            }
            for word in ["cookie", "localStorage", "sessionStorage", "indexedDB"] {
                #expect(!script.text.contains(word), "\(word)")
            }

            // Revalidation: 304 for the current tag (weak or in a list), 200 for another.
            for value in [tag, "W/\(tag)", "\"old\", \(tag)", "*"] {
                let revalidated = try await connection.request("GET", "/p.js?v=2", headers: [("If-None-Match", value)])
                #expect(revalidated.status == 304, "\(value)")
                #expect(revalidated.body.isEmpty)
                #expect(revalidated.header("ETag") == tag)
                #expect(revalidated.header("Content-Length") == nil)
                #expect(revalidated.header("Cache-Control") == "public, max-age=3600")
            }
            #expect(try await connection.request("GET", "/p.js", headers: [("If-None-Match", "\"p-0000000000000000\"")]).status == 200)

            let head = try await connection.request("HEAD", "/p.js")
            #expect(head.status == 200)
            #expect(head.body.isEmpty)
            #expect(head.header("Content-Length") == String(PixelScript.source.count))
            // A module script or <script crossorigin> sends Origin: it is shared.
            let module = try await connection.request("GET", "/p.js", headers: [("Origin", "https://shop.example")])
            #expect(module.header("Access-Control-Allow-Origin") == "https://shop.example")
            #expect(module.body == PixelScript.source)
            let post = try await connection.request("POST", "/p.js", body: [])
            #expect(post.status == 405)
            #expect(post.header("Allow") == "GET, HEAD")
            #expect(try await connection.request("GET", "/p.jsx").status == 404)
        }
        #expect(collector.sample("pixelpulse_collector_http_errors_total", #"status="405""#) == 1)
        try await collector.stop()
        #expect(ingest.batches.drain().isEmpty)  // loading the script is not a hit
        await ingest.stop()
    }
}
