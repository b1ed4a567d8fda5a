import PixelCollector
import PixelCore
import PixelPulseTesting
import Testing
import ZeroMQ

/// Do-Not-Track, Global Privacy Control and forwarded addresses, end to end.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct PrivacyHeaderTests {
    @Test func optOutSignalsDropTheVisitorHashButStillCount() async throws {
        let context = try Context()
        let ingest = try IngestStandIn.start(context: context)
        let collector = try await RunningCollector.start(ingest: ingest.endpoint, context: context)
        try await TestHTTPConnection.with(port: collector.port) { connection in
            _ = try await connection.request("GET", "/p/c/plain.gif", headers: [("User-Agent", "UA")])
            _ = try await connection.request("GET", "/p/c/dnt.gif", headers: [("User-Agent", "UA"), ("DNT", "1")])
            _ = try await connection.request("GET", "/p/c/gpc.gif", headers: [("User-Agent", "UA"), ("sec-gpc", " 1 ")])
            _ = try await connection.request("GET", "/p/c/dnt0.gif", headers: [("User-Agent", "UA"), ("DNT", "0")])
        }
        let hits = await ingest.events(count: 4).flatMap(\.hits)
        try #require(hits.count == 4)
        #expect(hits.map(\.pixel) == ["plain", "dnt", "gpc", "dnt0"])
        #expect(hits[0].visitor != nil)
        #expect(hits[1].visitor == nil)
        #expect(hits[2].visitor == nil)
        #expect(hits[3].visitor == hits[0].visitor)
        try await collector.stop()
        await ingest.stop()
    }

    @Test(arguments: [false, true])
    func forwardedForIsReadOnlyWhenTrusted(trusted: Bool) async throws {
        let context = try Context()
        let ingest = try IngestStandIn.start(context: context)
        let collector = try await RunningCollector.start(ingest: ingest.endpoint, context: context) {
            $0.trustForwardedFor = trusted
            $0.visitorSecret = Array("shared".utf8)
        }
        try await TestHTTPConnection.with(port: collector.port) { connection in
            for address in ["198.51.100.1, 10.0.0.1", "198.51.100.2", " 198.51.100.1 ", "not an address"] {
                _ = try await connection.request("GET", "/p/c/p.gif", headers: [("User-Agent", "UA"), ("X-Forwarded-For", address)])
            }
        }
        let visitors = await ingest.events(count: 4).flatMap(\.hits).map(\.visitor)
        try #require(visitors.count == 4 && visitors.allSatisfy { $0 != nil })
        if trusted {
            #expect(visitors[0] != visitors[1])  // two clients
            #expect(visitors[0] == visitors[2])  // the first entry, trimmed
            #expect(visitors[3] != visitors[0] && visitors[3] != visitors[1])  // falls back to the peer
        } else {
            #expect(Set(visitors).count == 1)  // all the loopback peer
        }
        try await collector.stop()
        await ingest.stop()
    }

    @Test func collectorsSharingASecretAgreeOnVisitors() async throws {
        let context = try Context()
        let ingest = try IngestStandIn.start(context: context)
        var visitors: [UInt64?] = []
        for secret in ["same", "same", "different"] {
            let collector = try await RunningCollector.start(ingest: ingest.endpoint, context: context) {
                $0.visitorSecret = Array(secret.utf8)
            }
            _ = try await TestHTTPConnection.request(port: collector.port, "GET", "/p/c/p.gif", headers: [("User-Agent", "UA")])
            visitors += await ingest.events(count: 1).flatMap(\.hits).map(\.visitor)
            try await collector.stop()
        }
        #expect(visitors.count == 3)
        #expect(visitors[0] != nil && visitors[0] == visitors[1])
        #expect(visitors[2] != visitors[0])
        await ingest.stop()
    }
}
