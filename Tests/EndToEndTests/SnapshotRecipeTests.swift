import Foundation
import Testing

/// The Python recipe of `Deploy/examples/subscriber.py` against the built `pixelpulse
/// aggregator` and `collector`: a late joiner gets the exact state from the snapshot, then
/// the live updates, with nothing counted twice.
@Suite(.serialized) struct SnapshotRecipeTests {
    typealias Hit = ProcessesTests.Hit

    @Test func thePythonRecipeJoinsLateAndStaysExact() async throws {
        let binary = try Paths.pixelpulse
        let aggregator = try ChildProcess(binary, [
            "aggregator", "--ingest", "tcp://127.0.0.1:*", "--feed", "tcp://127.0.0.1:*",
            "--snapshot", "tcp://127.0.0.1:*", "--tick-ms", "50",
        ])
        let ingest = try await aggregator.value(after: "ingest:")
        let feed = try await aggregator.value(after: "feed:")
        let snapshot = try await aggregator.value(after: "snapshot:")
        let collector = try ChildProcess(binary, ["collector", "--ingest", ingest, "--http", "127.0.0.1:0", "--collector-id", "e2e"])
        let http = try await collector.value(after: "http:")

        let before = (0..<240).map { i in Hit(campaign: i % 2 == 0 ? "c1" : "c10", pixel: "p\(i % 3)", kind: i % 8 == 0 ? "click" : "view") }
        let after = (0..<30).map { i in Hit(campaign: "c1", pixel: "p\(i % 4)", kind: "view") }
        try await fire(before.map { $0.url(http) })
        // The collector acknowledges batches asynchronously; the snapshot must hold them all,
        // so wait until a first recipe run sees the whole "before" state.
        let settled = try await run("/usr/bin/env", [
            "python3", Paths.subscriberExample.path, "--feed", feed, "--snapshot", snapshot, "--prefix", "stats/c1/",
            "--expect", ProcessesTests.expectation(before, prefix: "stats/c1/"), "--timeout", "30",
        ])
        #expect(settled.output.contains("OK 4 topics"), "\(settled.output)")

        let recipe = try ChildProcess(URL(fileURLWithPath: "/usr/bin/env"), [
            "python3", Paths.subscriberExample.path, "--feed", feed, "--snapshot", snapshot, "--prefix", "stats/c1/",
            "--expect", ProcessesTests.expectation(before + after, prefix: "stats/c1/"), "--timeout", "60",
        ])
        // The late joiner's first state is the snapshot: c1's three pixels and its rollup.
        let first = try await recipe.line(startingWithAnyOf: ["snapshot", "FAIL"])
        #expect(first.hasPrefix("snapshot") && first.contains("count=4"), "\(first)")
        try await fire(after.map { $0.url(http) })
        let verdict = try await recipe.line(startingWithAnyOf: ["OK", "FAIL"])
        #expect(verdict == "OK 5 topics", "\(verdict)")
        _ = try await recipe.terminate()

        // `watch --once` starts from the snapshot too: the whole table, at once.
        let watch = try await run(binary.path, ["watch", "--once", "--connect", feed, "--snapshot", snapshot,
                                                "--campaign", "c1", "--window", "1h"])
        let views = (before + after).filter { $0.campaign == "c1" && $0.kind == "view" }.count
        let clicks = (before + after).filter { $0.campaign == "c1" && $0.kind == "click" }.count
        let rollup = watch.output.split(separator: "\n").first { $0.hasPrefix("c1 ") && $0.contains("(all)") }
        #expect(watch.status == 0)
        #expect(rollup?.split(separator: " ").dropFirst(3).prefix(2).map(String.init) == ["\(views)", "\(clicks)"],
                "\(watch.output)")
        #expect(watch.output.split(separator: "\n").filter { $0.hasPrefix("c1 ") }.count == 5, "\(watch.output)")
        #expect(watch.output.hasSuffix("No alerts firing.\n"), "\(watch.output)")
        #expect(try await collector.terminate() == 0)
        #expect(try await aggregator.terminate() == 0)
    }
}
