import Foundation
import PixelAlerts
import PixelCore
import Testing

@Suite struct AlertRuleFileTests {
    static let example = """
        # Alert rules for the spring campaign.
        rules:
          - name: hero-drop
            kind: drop
            campaign: spring-sale
            pixel: hero
            metric: views
            window: 5m
            baseline: 1h
            below: 0.4
            recover: 0.7
            min_volume: 50
            for: 3m
            cooldown: 10m
            severity: critical
          - name: silent
            kind: silence
            scope: campaigns
          - {name: checkout-cvr, kind: cvr-drop, window: 15m, for: 90s}
        """

    @Test func readsEveryFieldAndFillsTheRestFromTheBuiltInRuleOfTheKind() throws {
        let rules = try AlertRuleFile.parse(Self.example, file: "alerts.yaml", windows: .standard)
        #expect(rules.map(\.name) == ["hero-drop", "silent", "checkout-cvr"])
        let drop = rules[0]
        #expect(drop.kind == .drop)
        #expect(drop.campaign == "spring-sale")
        #expect(drop.pixel == "hero")
        #expect(drop.scope == .pixels)
        #expect(drop.window == WindowConfiguration.standard.windows[1])
        #expect(drop.baseline == WindowConfiguration.standard.windows[3])
        #expect(drop.below == 0.4)
        #expect(drop.recover == 0.7)
        #expect(drop.minVolume == 50)
        #expect(drop.holdFor == 180_000)
        #expect(drop.cooldown == 600_000)
        #expect(drop.severity == "critical")
        let builtIn = AlertRule.defaults(for: .standard)
        var silence = try #require(builtIn.first { $0.kind == .silence })
        silence.name = "silent"
        silence.scope = .campaigns
        #expect(rules[1] == silence)
        #expect(rules[2].holdFor == 90_000)
        #expect(rules[2].window.name == "15m")
    }

    @Test func noRulesIsAllowed() throws {
        #expect(try AlertRuleFile.parse("rules: []", file: "a.yaml", windows: .standard).isEmpty)
    }

    /// Every broken file names its line and, when there is one, the field.
    @Test(arguments: [
        ("rules:\n  - name: a\n    kind: drop\n    below: [1\n", 5, nil),
        ("rules:\n  - name: a\n    kind: drops\n", 3, "kind"),
        ("rules:\n  - name: a\n    kind: drop\n    windw: 5m\n", 4, "windw"),
        ("rules:\n  - name: a\n    kind: drop\n    window: 2m\n", 4, "window"),
        ("rules:\n  - name: a\n    kind: drop\n    window: 1h\n    baseline: 5m\n", 5, "baseline"),
        ("rules:\n  - name: a\n    kind: drop\n    below: 0.8\n    recover: 0.6\n", 5, "recover"),
        ("rules:\n  - name: a\n    kind: drop\n    for: soon\n", 4, "for"),
        ("rules:\n  - name: a\n    kind: drop\n    campaign: no/slash\n", 4, "campaign"),
        ("rules:\n  - name: a\n    kind: silence\n    below: 0.1\n", 4, "below"),
        ("rules:\n  - name: a\n    kind: drop\n  - name: a\n    kind: silence\n", 4, "name"),
        ("rules:\n  - kind: drop\n", 2, "name"),
        ("rules:\n  - name: a\n    kind: drop\n    metric: {views: 1}\n", 4, "metric"),
        ("rules:\n  - name: a\n    kind: drop\n    pixel: hero\n    scope: campaigns\n", 5, "scope"),
        ("rules: none\n", 1, "rules"),
        ("rule:\n  - name: a\n", 1, "rule"),
        ("- name: a\n", 1, nil),
    ] as [(String, Int, String?)])
    func brokenFilesAreRefusedWithTheirLineAndField(text: String, line: Int, field: String?) {
        do {
            let rules = try AlertRuleFile.parse(text, file: "alerts.yaml", windows: .standard)
            Issue.record("accepted \(rules)")
        } catch {
            #expect(error.file == "alerts.yaml")
            #expect(error.line == line, "\(error)")
            #expect(error.field == field, "\(error)")
            #expect(error.description.hasPrefix("alerts.yaml:\(line): "))
        }
    }

    @Test func aMissingFileSaysSo() {
        #expect(throws: AlertRuleError.self) {
            try AlertRuleFile(path: "/nonexistent/alerts.yaml").load(windows: .standard)
        }
    }

    @Test func rulesMustUseTheWindowsTheAggregatorKeeps() throws {
        let windows = try WindowConfiguration(windows: [WindowSpec(parsing: "6s"), WindowSpec(parsing: "1m")])
        let builtIn = AlertRule.defaults(for: windows)
        #expect(builtIn.map(\.window.name) == ["6s", "6s", "6s"])
        #expect(builtIn.allSatisfy { $0.baseline.name == "1m" })
        #expect(AlertRule.defaults(for: try WindowConfiguration(windows: [WindowSpec(parsing: "1m")])).isEmpty)
    }
}

/// The example file users copy parses, and its general rules equal the built-in ones.
@Suite struct ExampleRuleFileTests {
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appending(path: "Deploy/examples/alerts.yaml").path

    @Test func theShippedExampleLoads() throws {
        let rules = try AlertRuleFile(path: Self.path).load(windows: .standard)
        #expect(rules.map(\.name) == ["traffic-drop", "hero-drop", "pixel-silent", "conversion-rate-drop"])
        let builtIn = AlertRule.defaults(for: .standard)
        #expect(rules.filter { $0.name != "hero-drop" } == builtIn)
        #expect(rules[1].pixel == "hero" && rules[1].scope == .pixels && rules[1].severity == "critical")
    }
}
