import Foundation
import Logging
import PixelAggregator
import PixelAlerts
import PixelCore
import Synchronization
import Testing

/// Alerts reach a real HTTP receiver (Python's http.server) in the Alertmanager webhook
/// format, through refusals.
@Suite struct AlertWebhookTests {
    @Test func alertsArePostedInAlertmanagerFormatAndRetriedUntilAccepted() async throws {
        let receiver = try ChildProcess(URL(fileURLWithPath: "/usr/bin/env"), ["python3", Paths.webhookReceiver.path, "--fail", "2"])
        let port = try await receiver.value(after: "port:")

        // Windows of 6 s and 1 min; a silence fires once the 6 s window is empty.
        let time = Atomic<Int64>(1_790_000_000_000)
        let windows = try WindowConfiguration(windows: [WindowSpec(parsing: "6s"), WindowSpec(parsing: "1m")])
        let rule = AlertRule(name: "quiet", kind: .silence, scope: .pixels, window: windows.windows[0], baseline: windows.windows[1],
                             recover: 0.5, minVolume: 5, holdFor: 0, cooldown: 0)
        let aggregator = Aggregator(configuration: AggregatorConfiguration(windows: windows, alertRules: [rule]),
                                    clock: { time.load(ordering: .relaxed) })
        let webhook = AlertWebhook(url: try #require(URL(string: "http://127.0.0.1:\(port)/hook")),
                                   alerts: aggregator.alertNotifications(),
                                   logger: Logger(label: "test"), firstBackoff: .milliseconds(20))
        let delivery = Task { try await webhook.run() }
        defer { delivery.cancel() }

        var sequence: UInt64 = 0
        func second(views: Int) async {
            if views > 0 {
                sequence += 1
                var batch = EventBatch(collector: "edge", sequence: sequence)
                for _ in 0..<views { batch.append(HitEvent(time: time.load(ordering: .relaxed), kind: .view, campaign: "shop", pixel: "hero")) }
                await aggregator.ingest([batch])
            }
            time.add(1000, ordering: .relaxed)
            _ = await aggregator.changes()
        }
        for _ in 0..<30 { await second(views: 10) }
        for _ in 0..<10 { await second(views: 0) }
        for _ in 0..<10 { await second(views: 10) }

        let firing = try await receiver.value(after: "firing:", timeout: .seconds(30))
        let resolved = try await receiver.value(after: "resolved:", timeout: .seconds(30))
        _ = try await receiver.line(startingWithAnyOf: ["refused: 2"])
        let payload = try #require(JSONSerialization.jsonObject(with: Data(firing.utf8)) as? [String: Any])
        #expect(payload["version"] as? String == "4")
        #expect(payload["status"] as? String == "firing")
        #expect(payload["receiver"] as? String == "pixelpulse")
        let alert = try #require((payload["alerts"] as? [[String: Any]])?.first)
        let labels = try #require(alert["labels"] as? [String: String])
        #expect(labels == ["alertname": "quiet", "campaign": "shop", "pixel": "hero", "severity": "warning",
                           "kind": "silence", "metric": "views", "window": "6s"])
        #expect(alert["endsAt"] as? String == "0001-01-01T00:00:00Z")
        #expect((alert["startsAt"] as? String)?.hasPrefix("2026-09-21T") == true)
        #expect((alert["annotations"] as? [String: String])?["summary"]?.hasPrefix("shop/hero: no views in the last 6s") == true)
        let fingerprint = try #require(alert["fingerprint"] as? String)

        let resolvedPayload = try #require(JSONSerialization.jsonObject(with: Data(resolved.utf8)) as? [String: Any])
        let resolvedAlert = try #require((resolvedPayload["alerts"] as? [[String: Any]])?.first)
        #expect(resolvedAlert["status"] as? String == "resolved")
        #expect(resolvedAlert["fingerprint"] as? String == fingerprint)
        #expect((resolvedAlert["endsAt"] as? String)?.hasPrefix("2026-09-21T") == true)
        _ = try await receiver.terminate()
    }
}
