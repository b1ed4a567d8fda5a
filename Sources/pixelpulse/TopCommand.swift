import ArgumentParser
import Foundation
import PixelCore

struct TopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "top",
        abstract: "List the campaigns and pixels the aggregator knows, busiest first, with their totals over the last hour.",
        discussion: """
            One snapshot, then exit. Each campaign's line (PIXEL "(all)") comes before its pixels'. In a \
            terminal the table fits its width (the least important columns go first); --json prints one \
            JSON document with every figure. VALUE is the conversion value in currency units (minor \
            units ÷ 100); in the JSON, "value" is in minor units, as on the feed.
            """)

    @Option(help: "Only this campaign and its pixels.")
    var campaign: String?

    @OptionGroup var aggregator: SubscriberOptions

    @Option(help: "The window to total over: one the aggregator keeps.")
    var window: String = "1h"

    @Flag(help: "Print one JSON document instead of the table.")
    var json = false

    func validate() throws {
        if let campaign, CampaignID(rawValue: campaign) == nil {
            throw ValidationError("--campaign: not a valid campaign id")
        }
        guard try FeedTable.windowNames(window).count == 1 else { throw ValidationError("--window: give one window, e.g. 1h") }
    }

    func run() async throws {
        let subscriber = try aggregator.subscriber()
        let window = try FeedTable.windowNames(self.window)[0]
        let prefix = campaign.map { FeedTopic.stats(campaign: CampaignID(unchecked: $0)) } ?? FeedTopic.statsPrefix
        try await SubscriberFailure.reported {
            var table = FeedTable()
            table.load(try await subscriber.firstStates([prefix])[0])
            try table.check(windows: [window], source: subscriber.feed)
            let groups = table.groups(busiestIn: window)
            if json {
                say(try Self.json(groups, window: window, source: subscriber.feed, time: table.lastTime))
            } else {
                say(Self.text(groups, window: window, source: subscriber.feed, width: Terminal.size()?.columns).joined(separator: "\n"))
            }
        }
    }

    /// The table: a caption, the header and one line per key; fitted to `width` when given,
    /// with a last line naming the columns left out.
    static func text(_ groups: [FeedTable.Group], window: String, source: String, width: Int?) -> [String] {
        let table = FeedTable.columns(withWindow: false)
        let rows = groups.flatMap(\.rows)
        let cells = rows.compactMap { row in row.counts(in: window).map { FeedTable.cells(row, window: nil, counts: $0) } }
        let layout = width.map { table.layout(for: cells, width: $0) } ?? table.fullLayout(for: cells)
        let pixels = rows.count - groups.count
        var lines = ["Totals over the last \(window) from \(source): \(groups.count) campaigns, \(pixels) pixels, busiest first"]
        lines += [table.header(layout)] + cells.map { table.line($0, layout) }
        if rows.isEmpty { lines.append("(no traffic in the last \(window))") }
        if let width, !layout.hidden.isEmpty {
            lines.append("Hidden to fit \(width) columns: \(layout.hidden.joined(separator: ", ")) (--json has every figure).")
        }
        return width.map { width in lines.map { TextTable.fit($0, width) } } ?? lines
    }

    /// One JSON document: the campaigns busiest first, each with its pixels.
    static func json(_ groups: [FeedTable.Group], window: String, source: String, time: Int64) throws -> String {
        func figures(_ row: FeedTable.Row) -> [String: Any] {
            guard let counts = row.counts(in: window) else { return [:] }
            return [
                "views": counts.views, "clicks": counts.clicks, "conversions": counts.conversions, "value": counts.value, "bots": counts.bots,
                "uniques": counts.uniques.map { $0 as Any } ?? NSNull(),
                "uniquesError": counts.uniquesError.map { $0 as Any } ?? NSNull(), "ctr": counts.ctr.map { $0 as Any } ?? NSNull(),
                "cvr": counts.cvr.map { $0 as Any } ?? NSNull(),
            ]
        }
        let campaigns: [[String: Any]] = groups.map { group in
            var campaign = group.rollup.map(figures) ?? [:]
            campaign["campaign"] = group.campaign
            campaign["pixels"] = group.pixels.map { pixel in figures(pixel).merging(["pixel": pixel.pixel ?? ""]) { $1 } }
            return campaign
        }
        let document: [String: Any] = ["source": source, "window": window, "time": time, "campaigns": campaigns]
        let data = try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }
}
