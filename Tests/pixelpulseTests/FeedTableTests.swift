@testable import pixelpulse
import PixelCore
import Testing

/// `watch`'s screen as `FeedTable` renders it: in full for a pipe, and fitted to terminals
/// of several sizes.
@Suite struct FeedTableTests {
    static let windows = ["1m", "5m", "15m", "1h"]
    static let longCampaign = "newsletter-campaign-2026-spring-edition"

    /// A stats body whose views grow with the window (`views` in 1m, twice that in 5m…).
    static func stats(_ campaign: String, _ pixel: String?, views: Int) -> FeedStats {
        let bodies = windows.enumerated().map { index, name in
            let seen = views * (index + 1)
            let uniques = pixel == nil ? "\(seen * 9 / 10)" : "null"
            return #""\#(name)":{"views":\#(seen),"clicks":\#(seen / 25),"conversions":\#(seen / 250),"value":\#(seen * 37),"uniques":\#(uniques),"ctr":0.04,"cvr":0.1}"#
        }
        let pixelJSON = pixel.map { "\"\($0)\"" } ?? "null"
        let json = #"{"type":"stats","seq":7,"time":1790000000000,"campaign":"\#(campaign)","pixel":\#(pixelJSON),"windows":{\#(bodies.joined(separator: ","))}}"#
        return FeedStats(json: Array(json.utf8))!
    }

    /// `campaigns` campaigns of `pixels` pixels each; campaign `c1` is the busiest, and each
    /// campaign's `p1` its busiest pixel. The first campaign has a long id when `longID`.
    static func table(campaigns: Int, pixels: Int, longID: Bool = false) -> FeedTable {
        var bodies: [FeedStats] = []
        for c in 1...campaigns {
            let campaign = longID && c == 1 ? longCampaign : "c\(c)"
            var total = 0
            for p in 1...pixels {
                let views = 1000 * (campaigns - c + 1) + 10 * (pixels - p + 1)
                total += views
                bodies.append(stats(campaign, "p\(p)", views: views))
            }
            bodies.append(stats(campaign, nil, views: total))
        }
        var table = FeedTable()
        let beat = FeedHeartbeat(
            seq: 8, time: 1_790_000_000_000, startedAt: 1_789_999_000_000, activeKeys: bodies.count, ingestRate: 118.2, events: 9,
            duplicates: 0, tooLate: 0, tooFarInFuture: 0, batches: 1, duplicateBatches: 0, rejectedBatches: 0, published: 8,
            firingAlerts: 0)
        table.load(stats: bodies, seq: 8, heartbeat: beat)
        return table
    }

    static func render(_ table: FeedTable, _ size: TerminalSize?) -> [String] {
        table.render(source: "tcp://127.0.0.1:5571", windows: [], screen: size, now: 1_790_000_000_000)
    }

    /// The id cells of a data line: its first two words.
    static func ids(_ line: String) -> [String] { line.split(separator: " ").prefix(2).map(String.init) }

    @Test func aPipeGetsEveryKeyAndWindowWithIDsInFull() {
        let table = Self.table(campaigns: 3, pixels: 3, longID: true)
        let lines = Self.render(table, nil)
        #expect(lines[0] == "PixelPulse · tcp://127.0.0.1:5571 · ingest 118.20/s · 12 active keys · seq 8")
        #expect(lines[2].hasPrefix("CAMPAIGN") && lines[2].contains("VALUE ÷100") && lines[2].hasSuffix("CVR"))
        let data = lines[3...].prefix { !$0.isEmpty }
        #expect(data.count == 12 * 4, "every key in every window")
        #expect(data.first?.split(separator: " ").prefix(3) == [Substring(Self.longCampaign), "(all)", "1m"],
                "the busiest campaign first, its rollup first: \(lines)")
        #expect(!lines.joined().contains("…"), "nothing is shortened in the full table")
        #expect(lines.last == "No alerts firing.")
    }

    @Test(arguments: [
        TerminalSize(columns: 80, rows: 24), TerminalSize(columns: 200, rows: 50), TerminalSize(columns: 40, rows: 12),
        TerminalSize(columns: 120, rows: 30), TerminalSize(columns: 24, rows: 8), TerminalSize(columns: 100, rows: 60),
    ])
    func everyLineFitsTheScreenAndNoIDIsCutSilently(size: TerminalSize) {
        let table = Self.table(campaigns: 6, pixels: 4, longID: true)
        let lines = Self.render(table, size)
        #expect(lines.count <= size.rows)
        for line in lines { #expect(line.count <= size.columns, "\(line)") }
        #expect(lines[0].hasPrefix("PixelPulse"), "the status line stays at the top")
        guard size.rows > 3 else { return }
        #expect(lines[2].hasPrefix(size.columns < 30 ? "CAMP…" : "CAMPAIGN"), "the header is shown: \(lines)")
        let known = Set([Self.longCampaign, "(all)"] + (1...6).map { "c\($0)" } + (1...4).map { "p\($0)" })
        for line in lines[3...].prefix(while: { !$0.isEmpty && !$0.hasPrefix("…") }) where !line.hasPrefix(" ") {
            for id in Self.ids(line) where !id.isEmpty {
                #expect(known.contains(id) || (id.hasSuffix("…") && known.contains { $0.hasPrefix(id.dropLast()) }), "\(id) in \(line)")
            }
        }
    }

    @Test func aShortScreenShowsOneWindowThenTheBusiestKeysAndHowManyMore() {
        let table = Self.table(campaigns: 6, pixels: 4)  // 30 keys
        let lines = Self.render(table, TerminalSize(columns: 80, rows: 24))
        #expect(lines.count == 24)
        let data = Array(lines[3...].prefix { !$0.isEmpty && !$0.hasPrefix("…") })
        #expect(data.allSatisfy { $0.split(separator: " ")[2] == "1m" }, "the shortest window stays: \(data)")
        #expect(Self.ids(data[0]) == ["c1", "(all)"] && Self.ids(data[1]) == ["c1", "p1"] && Self.ids(data[5]) == ["c2", "(all)"])
        let more = lines.first { $0.hasPrefix("…") }
        #expect(more?.hasPrefix("… \(30 - data.count) more") == true, "\(lines)")
        #expect(lines.last == "Hidden to fit 80×24: windows 5m, 15m, 1h.", "\(lines)")
    }

    @Test func aTallScreenShowsMoreWindowsAndAWideOneEveryColumn() {
        let table = Self.table(campaigns: 2, pixels: 3, longID: true)  // 8 keys
        let lines = Self.render(table, TerminalSize(columns: 200, rows: 50))
        #expect(lines.count == 3 + 8 * 4 + 2, "all four windows of every key, and no note: \(lines)")
        #expect(lines[2].contains("UNIQUES") && lines.contains { $0.hasPrefix(Self.longCampaign + " ") })
        #expect(!lines.contains { $0.hasPrefix("Hidden") || $0.hasPrefix("…") })
        let medium = Self.render(table, TerminalSize(columns: 200, rows: 26))
        #expect(medium.filter { $0.contains(" 1h ") }.count == 8 && !medium.contains { $0.contains(" 5m ") },
                "two windows fit, the shortest and the longest: \(medium)")
    }

    @Test func aNarrowScreenDropsTheLeastImportantColumnsFirstAndSaysSo() {
        let table = Self.table(campaigns: 2, pixels: 2)
        let header = { (columns: Int) in Self.render(table, TerminalSize(columns: columns, rows: 40))[2].split(separator: " ").map(String.init) }
        #expect(header(200) == ["CAMPAIGN", "PIXEL", "WINDOW", "VIEWS", "CLICKS", "CONV", "VALUE", "÷100", "UNIQUES", "CTR", "CVR"])
        #expect(header(70) == ["CAMPAIGN", "PIXEL", "WINDOW", "VIEWS", "CLICKS", "CONV", "VALUE", "÷100", "CTR", "CVR"])
        #expect(header(62) == ["CAMPAIGN", "PIXEL", "WINDOW", "VIEWS", "CLICKS", "CONV", "CTR", "CVR"])
        #expect(header(30) == ["CAMPAIGN", "PIXEL", "WINDOW", "VIEWS"])
        let lines = Self.render(table, TerminalSize(columns: 62, rows: 40))
        #expect(lines.last == "Hidden to fit 62×40: columns VALUE ÷100, UNIQUES.", "\(lines)")
    }

    @Test func alertsShowInUTCWithRatesInOneFormat() {
        var table = Self.table(campaigns: 1, pixels: 1)
        table.loadAlerts([
            FeedAlert(
                seq: 9, time: 1_790_000_000_000, status: "firing", rule: "traffic-drop", kind: "drop", severity: "warning",
                campaign: "c1", pixel: "p1", metric: "views", window: "5m", baselineWindow: "1h", unit: "per_second",
                value: 0, baseline: 22.224, threshold: 10.1, startsAt: 1_789_999_640_000, endsAt: nil, fingerprint: "f",
                // As the aggregator writes it (AlertSummaryTests): `watch` shows it as it is.
                summary: "c1/p1: views fell to 0.00/s over 5m, below 10.10/s (baseline 22.22/s over 1h)"),
        ])
        let lines = Self.render(table, nil)
        #expect(lines.suffix(2) == [
            "FIRING ALERTS",
            "  warning  traffic-drop           since 14:07:20Z  c1/p1: views fell to 0.00/s over 5m, below 10.10/s (baseline 22.22/s over 1h)",
        ])
        #expect(TextFormat.shortTime(1_789_999_640_000, now: 1_790_100_000_000) == "2026-09-21T14:07:20Z", "another day: the date too")
    }

    @Test func aWindowTheAggregatorDoesNotKeepIsRefusedWithThoseItKeeps() throws {
        #expect(FeedTable().unknownWindows(["2m"]) == nil, "unknown before the first key")
        let table = Self.table(campaigns: 1, pixels: 1)
        #expect(throws: Never.self) { try table.check(windows: ["1m", "1h"], source: "tcp://a:1") }
        let failure = try #require(#expect(throws: SubscriberFailure.self) { try table.check(windows: ["2m", "1h"], source: "tcp://a:1") })
        #expect(failure.exitCode == 1)
        #expect(failure.description == "--window 2m: the aggregator at tcp://a:1 keeps only the windows 1m, 5m, 15m, 1h; choose among them (or leave --window out for all)")
        #expect(try FeedTable.windowNames("1h,60s,5m") == ["1m", "5m", "1h"])
    }
}
