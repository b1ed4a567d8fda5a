import Foundation
import Testing

/// Alerts from the built `pixelpulse`, seen from outside: by a pyzmq subscriber, by
/// `pixelpulse alerts`, and through SIGHUP reloads.
@Suite(.serialized) struct AlertProcessesTests {
    static func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appending(path: "pixelpulse-alerts-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// `serve --demo` with 6 s and 1 min windows; the test's own pixels get traffic, then
    /// one of them stops: the silence alert reaches Python and `pixelpulse alerts`.
    @Test func aPixelWhoseTrafficStopsRaisesAnAlertOnTheFeed() async throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let rules = folder.appending(path: "alerts.yaml")
        try """
            rules:
              - name: pixel-quiet
                kind: silence
                campaign: e2e
                scope: pixels
                window: 6s
                baseline: 1m
                min_volume: 20
            """.write(to: rules, atomically: true, encoding: .utf8)
        let binary = try Paths.pixelpulse
        let serve = try ChildProcess(binary, [
            "serve", "--demo", "--http", "127.0.0.1:0", "--dashboard-http", "127.0.0.1:0", "--ingest", "tcp://127.0.0.1:*", "--feed", "tcp://127.0.0.1:*",
            "--snapshot", "tcp://127.0.0.1:*", "--windows", "6s,1m", "--tick-ms", "100", "--alert-rules", rules.path,
        ])
        let feed = try await serve.value(after: "feed:")
        let snapshot = try await serve.value(after: "snapshot:")
        #expect(try await serve.value(after: "alert rules:").hasPrefix("1 loaded from \(rules.path)"))
        let http = try await serve.value(after: "http:")

        let follower = try ChildProcess(binary, ["alerts", "--campaign", "e2e", "--json", "--connect", feed, "--snapshot", snapshot])
        let checker = try ChildProcess(URL(fileURLWithPath: "/usr/bin/env"), [
            "python3", Paths.alertCheck.path, "--feed", feed, "--http", http, "--campaign", "e2e",
            "--keep", "steady", "--stop", "broken", "--rate", "20", "--seconds", "14",
        ], withErrors: true)
        _ = try await checker.value(after: "ready")
        let verdict = try await checker.line(startingWithAnyOf: ["OK", "FAIL"])
        #expect(verdict.hasPrefix("OK"), "\(verdict)")
        let alert = try #require(JSONSerialization.jsonObject(with: Data(verdict.dropFirst(3).utf8)) as? [String: Any])
        #expect(alert["rule"] as? String == "pixel-quiet")
        #expect(alert["kind"] as? String == "silence")
        #expect(alert["campaign"] as? String == "e2e")
        #expect(alert["value"] as? Double == 0)

        // The same alert, as `pixelpulse alerts --json` printed it.
        let printed = try await follower.line(startingWithAnyOf: [#"{"type":"alert""#], timeout: .seconds(30))
        let followed = try #require(JSONSerialization.jsonObject(with: Data(printed.utf8)) as? [String: Any])
        #expect(followed["fingerprint"] as? String == alert["fingerprint"] as? String)
        #expect(followed["seq"] as? Int == alert["seq"] as? Int)

        // `watch --once` lists it under the table.
        let watch = try await run(binary.path, ["watch", "--once", "--connect", feed, "--snapshot", snapshot, "--campaign", "e2e"])
        let listed = watch.output.split(separator: "\n").drop { $0 != "FIRING ALERTS" }.dropFirst()
        #expect(listed.count == 1 && listed.first?.contains("pixel-quiet") == true && listed.first?.contains("e2e/broken") == true,
                "\(watch.output)")

        #expect(try await checker.terminate() == 0)
        _ = try await follower.terminate()
        #expect(try await serve.terminate() == 0)
    }

    /// A broken file on SIGHUP is refused with its line and field; the rules in force stay
    /// until a good file replaces them.
    @Test func sighupWithABrokenFileKeepsTheRulesInForce() async throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let rules = folder.appending(path: "alerts.yaml")
        try "rules:\n  - name: quiet\n    kind: silence\n".write(to: rules, atomically: true, encoding: .utf8)
        let aggregator = try ChildProcess(try Paths.pixelpulse, [
            "aggregator", "--ingest", "tcp://127.0.0.1:*", "--feed", "tcp://127.0.0.1:*", "--snapshot", "tcp://127.0.0.1:*",
            "--alert-rules", rules.path,
        ])
        #expect(try await aggregator.value(after: "alert rules:") == "1 loaded from \(rules.path) (quiet)")

        try "rules:\n  - name: quiet\n    kind: silence\n    window: 2m\n".write(to: rules, atomically: true, encoding: .utf8)
        kill(aggregator.process.processIdentifier, SIGHUP)
        let refusal = try await aggregator.value(after: "alert rules not reloaded:")
        #expect(refusal == "\(rules.path):4: rule \"quiet\", field \"window\": 2m is not one of the windows kept (1m, 5m, 15m, 1h); keeping the 1 rule in force")

        try "rules:\n  - name: quiet\n    kind: silence\n  - name: drop\n    kind: drop\n".write(to: rules, atomically: true, encoding: .utf8)
        kill(aggregator.process.processIdentifier, SIGHUP)
        #expect(try await aggregator.value(after: "alert rules: 2 loaded") == "from \(rules.path)")
        #expect(aggregator.process.isRunning)
        #expect(try await aggregator.terminate() == 0)
    }
}
