import Foundation
import PixelAggregator
@testable import PixelAlerts
@testable import PixelCore
import Testing

/// The default rules against hours of simulated traffic (standard windows: 5m against 1h).
@Suite struct AlertEngineTests {
    /// Campaign `shop` has two pixels at 10 views/s each; `hero` then falls by 80 %.
    @Test func aDropFiresOnceAfterItsHoldAndResolvesOnceAfterRecovery() async throws {
        let simulation = TrafficSimulation()
        let pixels = [("shop", "hero"), ("shop", "footer")]
        await simulation.run(seconds: 70 * 60, TrafficSimulation.steady(pixels, rate: 10))
        #expect(simulation.alerts.isEmpty)

        let dropAt = simulation.elapsed
        await simulation.run(seconds: 30 * 60) { _ in
            var second = TrafficSimulation.Second()
            second.add("shop", "hero", .view, 2)
            second.add("shop", "footer", .view, 10)
            return second
        }
        let firing = simulation.history("alerts/shop/hero/", rule: "traffic-drop")
        #expect(firing.map(\.status) == ["firing"])
        // The 5m rate crosses half the baseline after 187.5 s (give or take the window's
        // 5 s step), and must stay under it for `for` (150 s) before the alert fires.
        let firedAt = try #require(firing.first?.at)
        #expect((dropAt + 188 + 150 - 5)...(dropAt + 188 + 150 + 1) ~= firedAt)
        let alert = try #require(simulation.alerts.first)
        #expect(alert["kind"] as? String == "drop")
        #expect(alert["metric"] as? String == "views")
        #expect(alert["window"] as? String == "5m")
        #expect(alert["baselineWindow"] as? String == "1h")
        #expect(abs(try #require(alert["baseline"] as? Double) - 10) < 0.1)
        #expect(abs(try #require(alert["threshold"] as? Double) - 5) < 0.05)
        #expect(try #require(alert["value"] as? Double) < 5)
        #expect(alert["startsAt"] as? Int64 == simulation.time(at: firedAt - 150))
        #expect(alert["time"] as? Int64 == simulation.time(at: firedAt))
        #expect(alert["endsAt"] is NSNull)
        // The campaign as a whole fell to 60 %: above the threshold, no alert; nor any other rule.
        #expect(simulation.alerts.count == 1)

        let recoverAt = simulation.elapsed
        await simulation.run(seconds: 30 * 60, TrafficSimulation.steady(pixels, rate: 10))
        let history = simulation.history("alerts/shop/hero/", rule: "traffic-drop")
        #expect(history.map(\.status) == ["firing", "resolved"])
        // Back to 80 % of the baseline after 225 s, then the 5 min cooldown.
        let resolvedAt = try #require(history.last?.at)
        #expect((recoverAt + 225 + 300 - 5)...(recoverAt + 225 + 300 + 1) ~= resolvedAt)
        let resolved = try #require(simulation.alerts.last)
        #expect(resolved["fingerprint"] as? String == alert["fingerprint"] as? String)
        #expect(resolved["startsAt"] as? Int64 == alert["startsAt"] as? Int64)
        #expect(resolved["endsAt"] as? Int64 == simulation.time(at: resolvedAt))
        #expect(simulation.alerts.count == 2)
    }

    /// Around the firing threshold, then around the recovery threshold: one alert, one
    /// resolution, however often the rate crosses either line.
    @Test func trafficWobblingAroundTheThresholdsDoesNotFlap() async throws {
        let simulation = TrafficSimulation()
        await simulation.run(seconds: 70 * 60, TrafficSimulation.steady([("shop", "hero")], rate: 10))
        // 3 min at 7/s, 3 min at 2/s: the 5m rate swings between 4 and 5 per second, around
        // the threshold (5).
        await simulation.run(seconds: 60 * 60) { second in
            var traffic = TrafficSimulation.Second()
            traffic.add("shop", "hero", .view, second / 180 % 2 == 0 ? 7 : 2)
            return traffic
        }
        #expect(simulation.history("alerts/shop/hero/", rule: "traffic-drop").map(\.status) == ["firing"])
        // 3 min at 12/s, 3 min at 3/s: between 6.6 and 8.4, around the recovery line (8),
        // never above it for the 5 min cooldown.
        await simulation.run(seconds: 60 * 60) { second in
            var traffic = TrafficSimulation.Second()
            traffic.add("shop", "hero", .view, second / 180 % 2 == 0 ? 12 : 3)
            return traffic
        }
        #expect(simulation.history("alerts/shop/hero/", rule: "traffic-drop").map(\.status) == ["firing"])
        await simulation.run(seconds: 20 * 60, TrafficSimulation.steady([("shop", "hero")], rate: 10))
        #expect(simulation.history("alerts/shop/hero/", rule: "traffic-drop").map(\.status) == ["firing", "resolved"])
    }

    @Test func aPixelThatGoesSilentFiresSilenceAndResolvesWhenItComesBack() async throws {
        let simulation = TrafficSimulation()
        let pixels = [("news", "a"), ("news", "b")]
        await simulation.run(seconds: 70 * 60, TrafficSimulation.steady(pixels, rate: 5))
        let stopAt = simulation.elapsed
        await simulation.run(seconds: 20 * 60, TrafficSimulation.steady([("news", "a")], rate: 5))
        let silence = simulation.history("alerts/news/b/", rule: "pixel-silent")
        #expect(silence.map(\.status) == ["firing"])
        // Fires as soon as the 5m window holds nothing (for: 0), within one 5 s step.
        let firedAt = try #require(silence.first?.at)
        #expect((stopAt + 295)...(stopAt + 301) ~= firedAt)
        let alert = try #require(simulation.alerts.first { $0["rule"] as? String == "pixel-silent" })
        #expect(alert["value"] as? Double == 0)
        #expect(alert["threshold"] as? Double == 0)
        #expect(alert["metric"] as? String == "events")
        #expect(alert["severity"] as? String == "critical")
        // The pixel that kept its traffic, and the campaign at half its rate, stay quiet.
        #expect(simulation.alerts.allSatisfy { $0["topic"] as? String == "alerts/news/b/" })

        await simulation.run(seconds: 20 * 60, TrafficSimulation.steady(pixels, rate: 5))
        #expect(simulation.history("alerts/news/b/", rule: "pixel-silent").map(\.status) == ["firing", "resolved"])
    }

    /// A pixel seen about once a minute, with long gaps, predicts fewer events in 5 min than
    /// `min_volume`: nothing it does is distinguishable from noise, so nothing fires.
    @Test func aLowVolumeCampaignNeverFires() async throws {
        let simulation = TrafficSimulation()
        var random: UInt64 = 0x9E37_79B9_7F4A_7C15
        await simulation.run(seconds: 4 * 3600) { second in
            random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            var traffic = TrafficSimulation.Second()
            // About one view a minute in the first two hours, then nothing at all.
            if second < 2 * 3600, random >> 58 == 0 { traffic.add("tiny", "p", .view, 1) }
            return traffic
        }
        #expect(try #require(await simulation.aggregator.counts(campaign: "tiny")).isEmpty == false)
        #expect(simulation.alerts.isEmpty)
    }

    /// Clicks keep coming at 4/s while conversions stop.
    @Test func conversionsStoppingWhileClicksContinueFiresACvrDrop() async throws {
        let simulation = TrafficSimulation()
        await simulation.run(seconds: 70 * 60) { second in
            var traffic = TrafficSimulation.Second()
            traffic.add("promo", "cta", .click, 4)
            if second % 5 == 0 { traffic.add("promo", "cta", .conversion, 1) }
            return traffic
        }
        #expect(simulation.alerts.isEmpty)
        await simulation.run(seconds: 30 * 60, TrafficSimulation.steady([("promo", "cta")], rate: 4, kind: .click))
        let history = simulation.history("alerts/promo/*/", rule: "conversion-rate-drop")
        #expect(history.map(\.status) == ["firing"])
        let alert = try #require(simulation.alerts.first { $0["rule"] as? String == "conversion-rate-drop" })
        #expect(alert["metric"] as? String == "cvr")
        #expect(alert["unit"] as? String == "ratio")
        #expect(abs(try #require(alert["baseline"] as? Double) - 0.05) < 0.001)
        #expect(simulation.alerts.count == 1)
    }

    /// Rules replaced while an alert fires: a rule that keeps its name keeps its incident;
    /// a rule removed resolves its alerts; a broken file changes nothing.
    @Test func reloadingRulesKeepsIncidentsAndRefusesBrokenFiles() async throws {
        let simulation = TrafficSimulation()
        let aggregator = simulation.aggregator
        await simulation.run(seconds: 70 * 60, TrafficSimulation.steady([("shop", "hero")], rate: 10))
        await simulation.run(seconds: 10 * 60, TrafficSimulation.steady([("shop", "hero")], rate: 1))
        #expect(simulation.history("alerts/shop/hero/", rule: "traffic-drop").map(\.status) == ["firing"])

        let directory = FileManager.default.temporaryDirectory.appending(path: "pixelpulse-rules-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appending(path: "alerts.yaml").path
        let file = AlertRuleFile(path: path)
        let before = await aggregator.alertRules

        try "rules:\n  - name: traffic-drop\n    kind: drop\n    below: lots\n".write(toFile: path, atomically: true, encoding: .utf8)
        await #expect(throws: AlertRuleError(file: path, line: 4, rule: "traffic-drop", field: "below", "\"lots\" is not a number ≥ 0")) {
            try await aggregator.reloadAlertRules(from: file)
        }
        #expect(await aggregator.alertRules == before)

        // Same name, new thresholds: the incident carries on, nothing is re-announced.
        try "rules:\n  - name: traffic-drop\n    kind: drop\n    below: 0.4\n    recover: 0.9\n".write(toFile: path, atomically: true, encoding: .utf8)
        let rules = try await aggregator.reloadAlertRules(from: file)
        #expect(rules.map(\.name) == ["traffic-drop"])
        #expect(rules.first?.recover == 0.9)
        await simulation.run(seconds: 60, TrafficSimulation.steady([("shop", "hero")], rate: 1))
        #expect(simulation.history("alerts/shop/hero/", rule: "traffic-drop").map(\.status) == ["firing"])
        let firing = await aggregator.firingAlerts
        #expect(firing.map(\.rule) == ["traffic-drop", "traffic-drop"])
        #expect(Set(firing.map(\.topic)) == ["alerts/shop/hero/", "alerts/shop/*/"])

        // The rule removed: its alert resolves at the next tick.
        try "rules:\n  - name: hero-silent\n    kind: silence\n    campaign: shop\n".write(toFile: path, atomically: true, encoding: .utf8)
        try await aggregator.reloadAlertRules(from: file)
        await simulation.run(seconds: 1, TrafficSimulation.steady([("shop", "hero")], rate: 1))
        #expect(simulation.history("alerts/shop/hero/", rule: "traffic-drop").map(\.status) == ["firing", "resolved"])
        #expect(await aggregator.firingAlerts.isEmpty)
    }

    /// A firing alert is part of the snapshot of any prefix that selects its topic.
    @Test func firingAlertsArePartOfTheSnapshot() async throws {
        let simulation = TrafficSimulation()
        let pixels = [("c1", "p"), ("c10", "p")]
        await simulation.run(seconds: 70 * 60, TrafficSimulation.steady(pixels, rate: 5))
        await simulation.run(seconds: 6 * 60, TrafficSimulation.steady([("c10", "p")], rate: 5))
        let firing = await simulation.aggregator.firingAlerts
        // The pixel, and its campaign's rollup (its only pixel), each fell silent and dropped.
        #expect(firing.map(\.rule).sorted() == ["pixel-silent", "pixel-silent", "traffic-drop", "traffic-drop"])
        #expect(Set(firing.map(\.topic)) == ["alerts/c1/p/", "alerts/c1/*/"])

        let expected = [("alerts/", 4), ("alerts/c1/", 4), ("alerts/c1/p/", 2), ("alerts/c1/*/", 2), ("alerts/c10/", 0), ("", 4), ("stats/", 0)]
        for (prefix, count) in expected {
            let chunk = await simulation.aggregator.snapshot(prefix: prefix, from: 0, limit: 100)
            #expect(chunk.alerts.count == count, "prefix \(prefix)")
            #expect(chunk.alerts.allSatisfy { $0.topic.hasPrefix("alerts/c1/") && $0.topic.hasPrefix(prefix) })
        }
        // Only the first chunk carries them.
        #expect(await simulation.aggregator.snapshot(prefix: "", from: 1, limit: 100).alerts.isEmpty)
    }

    /// An evening dip that the recent level calls a drop is normal against the same time
    /// yesterday and last week; a real fall is not. The history is read through `past`.
    @Test func seasonalBaselinesTellANormalEveningFromARealDrop() throws {
        let windows = WindowConfiguration.standard.windows
        func rule(_ name: String, _ source: AlertRule.BaselineSource) -> AlertRule {
            AlertRule(name: name, kind: .drop, scope: .campaigns, window: windows[1], baseline: windows[3], baselineFrom: source,
                      holdFor: 0)
        }
        var engine = try AlertEngine(
            windows: windows, rules: [rule("recent", .recent), rule("yesterday", .yesterday), rule("seasonal", .seasonal)])
        /// Counts for 5m at `now` per second after 55 min at 10/s.
        func counts(_ now: Double) -> [Counts] {
            windows.map { window in
                let seconds = Double(window.length / 1000)
                let views = window.length <= 300_000 ? now * seconds : now * 300 + 10 * (seconds - 300)
                return Counts(views: UInt64(views))
            }
        }
        /// A history in which this time of day had `perSecond` views a second.
        func history(_ perSecond: Double) -> (Int64, Int64) -> PastCounts? {
            { from, to in PastCounts(views: perSecond * Double(to - from) / 1000) }
        }
        // The evening: 3/s now after 10/s; yesterday and last week had 3.5/s at this time.
        engine.evaluate(key: 0, campaign: "shop", pixel: nil, counts: counts(3), age: 86_400_000 * 8, now: 1, past: history(3.5))
        #expect(engine.takeTransitions().map(\.rule) == ["recent"])
        // A real fall: 1/s where yesterday, last week (and the last hour) had far more.
        engine.evaluate(key: 1, campaign: "shop", pixel: nil, counts: counts(1), age: 86_400_000 * 8, now: 1, past: history(3.5))
        let fired = engine.takeTransitions()
        #expect(Set(fired.map(\.rule)) == ["recent", "yesterday", "seasonal"])
        #expect(fired.first { $0.rule == "yesterday" }?.baselineFrom == .yesterday)
        #expect(abs((fired.first { $0.rule == "seasonal" }?.baseline ?? 0) - 3.5) < 1e-9)  // the median
        // Without a history (a campaign younger than a day), a seasonal rule stays quiet; the blend uses the recent level.
        engine.evaluate(key: 2, campaign: "shop", pixel: nil, counts: counts(3), age: 86_400_000 * 8, now: 1) { _, _ in nil }
        #expect(engine.takeTransitions().map(\.rule).sorted() == ["recent", "seasonal"])
        // Seasonal rules watch campaigns: a rule file for pixels is refused.
        #expect(throws: AlertRuleError.self) {
            try AlertEngine(windows: windows, rules: [AlertRule(name: "p", kind: .drop, scope: .pixels, window: windows[1],
                                                                 baseline: windows[3], baselineFrom: .lastWeek)])
        }
    }
}
