import Foundation
import Testing

/// The built `pixelpulse aggregator` and `pixelpulse collector` as child processes, hits by
/// `curl`, and the feed checked from Python with pyzmq: the public contract, from outside.
@Suite(.serialized) struct ProcessesTests {
    struct Hit {
        var campaign: String, pixel: String, kind: String, value: Int = 0
        /// Sent as the user agent `visitor-N`, so that it counts as visitor N (curl's own
        /// user agent when `nil`).
        var visitor: Int? = nil
        var query: String { kind == "conversion" ? "?e=conversion&v=\(value)" : "?e=\(kind)" }

        /// The pixel URL on the collector at `http`.
        func url(_ http: String) -> String { "\(http)/p/\(campaign)/\(pixel).gif\(query)" }
    }

    /// Sends `hits` to the collector at `http` with curl, each visitor's with its user agent.
    static func send(_ hits: [Hit], to http: String) async throws {
        var visitors: [Int?] = []
        for hit in hits where !visitors.contains(hit.visitor) { visitors.append(hit.visitor) }
        for visitor in visitors {
            try await fire(hits.filter { $0.visitor == visitor }.map { $0.url(http) }, userAgent: visitor.map { "visitor-\($0)" })
        }
    }

    /// Starts `feed_check.py` on `feed`, expecting the counts of `hits` under `prefix`, and
    /// returns once it has heard a heartbeat.
    static func checker(feed: String, prefix: String, hits: [Hit], timeout: Int = 60, _ more: [String] = []) async throws -> ChildProcess {
        let checker = try ChildProcess(URL(fileURLWithPath: "/usr/bin/env"), [
            "python3", Paths.feedCheck.path, "--feed", feed, "--prefix", prefix,
            "--expect", expectation(hits, prefix: prefix), "--timeout", "\(timeout)",
        ] + more, withErrors: true)
        _ = try await checker.value(after: "ready")
        return checker
    }

    /// The counts of `hits` per topic under `prefix`; and, when the hits name visitors, each
    /// campaign's unique visitors in its rollup topic.
    static func expectation(_ hits: [Hit], prefix: String) -> String {
        var expected: [String: [String: Int]] = [:]
        var visitors: [String: Set<Int>] = [:]
        for hit in hits {
            if let visitor = hit.visitor { visitors["stats/\(hit.campaign)/*/", default: []].insert(visitor) }
            for topic in ["stats/\(hit.campaign)/\(hit.pixel)/", "stats/\(hit.campaign)/*/"] where topic.hasPrefix(prefix) {
                var counts = expected[topic] ?? ["views": 0, "clicks": 0, "conversions": 0, "value": 0]
                counts[hit.kind == "view" ? "views" : hit.kind == "click" ? "clicks" : "conversions"]! += 1
                counts["value"]! += hit.value
                expected[topic] = counts
            }
        }
        for (topic, visitors) in visitors where expected[topic] != nil { expected[topic]!["uniques"] = visitors.count }
        return String(decoding: try! JSONSerialization.data(withJSONObject: expected), as: UTF8.self)
    }

    /// Starts both roles, subscribes from Python to `prefix`, fires `hits` with curl, and
    /// returns what the Python checker printed.
    static func runPipeline(
        hits: [Hit], prefix: String, aggregatorArguments: [String] = [], checkerArguments: [String] = []
    ) async throws -> (status: Int32, output: String, exits: [Int32]) {
        let binary = try Paths.pixelpulse
        let aggregator = try ChildProcess(binary, [
            "aggregator", "--ingest", "tcp://127.0.0.1:*", "--feed", "tcp://127.0.0.1:*", "--snapshot", "tcp://127.0.0.1:*", "--tick-ms", "50",
        ] + aggregatorArguments)
        let ingest = try await aggregator.value(after: "ingest:")
        let feed = try await aggregator.value(after: "feed:")
        let collector = try ChildProcess(binary, ["collector", "--ingest", ingest, "--http", "127.0.0.1:0", "--collector-id", "e2e"])
        let http = try await collector.value(after: "http:")

        let checker = try await checker(feed: feed, prefix: prefix, hits: hits, checkerArguments)
        try await send(hits, to: http)
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
            let visitor = i % (7 + i % 3)  // 7, 8 and 9 visitors
            hits.append(Hit(campaign: campaign, pixel: pixel, kind: "view", visitor: visitor))
            if i % 7 == 0 { hits.append(Hit(campaign: campaign, pixel: pixel, kind: "click", visitor: visitor)) }
            if i % 21 == 0 { hits.append(Hit(campaign: campaign, pixel: pixel, kind: "conversion", value: 100 + i, visitor: visitor)) }
        }
        let result = try await Self.runPipeline(hits: hits, prefix: "stats/")
        #expect(result.output.hasPrefix("OK"), "\(result.output)")
        #expect(result.exits == [0, 0], "both roles shut down gracefully on SIGTERM")
    }

    @Test func anAggregatorWithoutUniquesPublishesNullForThem() async throws {
        let hits = (0..<30).map { Hit(campaign: "plain", pixel: "p\($0 % 2)", kind: "view", visitor: $0 % 5) }
        let result = try await Self.runPipeline(
            hits: hits, prefix: "stats/plain/", aggregatorArguments: ["--no-uniques"], checkerArguments: ["--no-uniques"])
        #expect(result.output.hasPrefix("OK 3 topics"), "\(result.output)")
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
