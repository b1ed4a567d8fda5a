import Foundation
import Testing

/// The built `pixelpulse aggregator` and `pixelpulse collector` as child processes, hits by
/// `curl`, and the feed checked from Python with pyzmq: the public contract, from outside.
@Suite(.serialized) struct ProcessesTests {
    struct Hit {
        var campaign: String, pixel: String, kind: String, value: Int = 0
        var query: String { kind == "conversion" ? "?e=conversion&v=\(value)" : "?e=\(kind)" }

        /// The pixel URL on the collector at `http`.
        func url(_ http: String) -> String { "\(http)/p/\(campaign)/\(pixel).gif\(query)" }
    }

    /// Starts `feed_check.py` on `feed`, expecting the counts of `hits` under `prefix`, and
    /// returns once it has heard a heartbeat.
    static func checker(feed: String, prefix: String, hits: [Hit], timeout: Int = 60, _ more: [String] = []) async throws -> ChildProcess {
        let checker = try ChildProcess(URL(fileURLWithPath: "/usr/bin/env"), [
            "python3", Paths.feedCheck.path, "--feed", feed, "--prefix", prefix,
            "--expect", expectation(hits, prefix: prefix), "--timeout", "\(timeout)",
        ] + more)
        _ = try await checker.value(after: "ready")
        return checker
    }

    static func expectation(_ hits: [Hit], prefix: String) -> String {
        var expected: [String: [String: Int]] = [:]
        for hit in hits {
            for topic in ["stats/\(hit.campaign)/\(hit.pixel)/", "stats/\(hit.campaign)/*/"] where topic.hasPrefix(prefix) {
                var counts = expected[topic] ?? ["views": 0, "clicks": 0, "conversions": 0, "value": 0]
                counts[hit.kind == "view" ? "views" : hit.kind == "click" ? "clicks" : "conversions"]! += 1
                counts["value"]! += hit.value
                expected[topic] = counts
            }
        }
        return String(decoding: try! JSONSerialization.data(withJSONObject: expected), as: UTF8.self)
    }

    /// Starts both roles, subscribes from Python to `prefix`, fires `hits` with curl, and
    /// returns what the Python checker printed.
    static func runPipeline(hits: [Hit], prefix: String) async throws -> (status: Int32, output: String, exits: [Int32]) {
        let binary = try Paths.pixelpulse
        let aggregator = try ChildProcess(binary, ["aggregator", "--ingest", "tcp://127.0.0.1:*", "--feed", "tcp://127.0.0.1:*", "--snapshot", "tcp://127.0.0.1:*", "--tick-ms", "50"])
        let ingest = try await aggregator.value(after: "ingest:")
        let feed = try await aggregator.value(after: "feed:")
        let collector = try ChildProcess(binary, ["collector", "--ingest", ingest, "--http", "127.0.0.1:0", "--collector-id", "e2e"])
        let http = try await collector.value(after: "http:")

        let checker = try await checker(feed: feed, prefix: prefix, hits: hits)
        try await fire(hits.map { $0.url(http) })
        let verdict = try await checker.line(startingWithAnyOf: ["OK", "FAIL"])
        let status = try await checker.terminate()
        let exits = [try await collector.terminate(), try await aggregator.terminate()]
        return (status, verdict, exits)
    }

    @Test func countsFromCurlReachAPythonSubscriberExactly() async throws {
        var hits: [Hit] = []
        for i in 0..<300 {
            let campaign = ["spring", "brand", "retarget"][i % 3]
            let pixel = "px\(i % 5)"
            hits.append(Hit(campaign: campaign, pixel: pixel, kind: "view"))
            if i % 7 == 0 { hits.append(Hit(campaign: campaign, pixel: pixel, kind: "click")) }
            if i % 21 == 0 { hits.append(Hit(campaign: campaign, pixel: pixel, kind: "conversion", value: 100 + i)) }
        }
        let result = try await Self.runPipeline(hits: hits, prefix: "stats/")
        #expect(result.output.hasPrefix("OK"), "\(result.output)")
        #expect(result.exits == [0, 0], "both roles shut down gracefully on SIGTERM")
    }

    @Test func aSubscriberOfC1NeverSeesC10() async throws {
        let hits = (0..<40).flatMap { i in
            [Hit(campaign: "c1", pixel: "p\(i % 2)", kind: "view"), Hit(campaign: "c10", pixel: "p\(i % 2)", kind: "view"),
             Hit(campaign: "c100", pixel: "p1", kind: "click")]
        }
        let result = try await Self.runPipeline(hits: hits, prefix: "stats/c1/")
        #expect(result.output.hasPrefix("OK 3 topics"), "\(result.output)")
    }
}
