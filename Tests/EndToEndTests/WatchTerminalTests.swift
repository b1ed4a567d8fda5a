import Foundation
import PixelAggregator
import PixelCore
import PixelPulseTesting
import Testing

/// The built `pixelpulse watch` under a real pseudo-terminal (tmux), against an aggregator
/// with known traffic: it fits 80×24 and, resized, redraws at once for 200×50.
@Suite(.serialized) struct WatchTerminalTests {
    static let longCampaign = "newsletter-campaign-2026-spring-edition"
    /// Seven campaigns of three pixels, 28 keys: the long id the busiest, then `c02`…`c07`.
    static let campaigns = [longCampaign] + (2...7).map { "c0\($0)" }
    static let traffic = KnownTraffic(keys: campaigns.enumerated().flatMap { c, campaign in
        (0..<3).map { p in
            KnownTraffic.Key(campaign: CampaignID(unchecked: campaign), pixel: PixelID(unchecked: "px\(p)"),
                             views: (7 - c) * 30 + (3 - p) * 3, clicks: 7 - c, conversions: 1, value: 1250)
        }
    })

    /// The rows of the table on `screen`: from below the header to the first blank or `…` line.
    static func dataRows(_ screen: [String]) -> [String] {
        Array(screen.dropFirst(3).prefix { !$0.isEmpty && !$0.hasPrefix("…") })
    }

    @Test func watchFitsEightyByTwentyFourAndRedrawsAtOnceForTwoHundredByFifty() async throws {
        try #require(Tmux.isInstalled, "tmux is needed for the terminal tests: apt-get install tmux")
        let binary = try Paths.pixelpulse
        try await LiveAggregator.with { live in
            try await Self.traffic.send(to: live)
            // Refreshes ten minutes apart: only the snapshot's arrival and SIGWINCH redraw.
            let tmux = try await Tmux.start([
                binary.path, "watch", "--connect", live.endpoints.feed, "--snapshot", live.endpoints.snapshot, "--refresh-ms", "600000",
            ], columns: 80, rows: 24)
            do {
                let small = try await tmux.capture { $0.contains { $0.hasPrefix("… ") } }
                #expect(small.count <= 24)
                for line in small { #expect(line.count <= 80, "wider than 80 columns: \(line)") }
                #expect(small[0].hasPrefix("PixelPulse · \(live.endpoints.feed) · "), "the status line stays on top: \(small)")
                #expect(small[2].hasPrefix("CAMPAIGN "), "the header is shown: \(small)")
                let rows = Self.dataRows(small)
                #expect(rows.count >= 10, "\(small)")
                let first = rows[0].split(separator: " ")
                #expect(first[0].hasSuffix("…") && Self.longCampaign.hasPrefix(first[0].dropLast()),
                        "the busiest campaign first, its id shortened with an ellipsis: \(rows[0])")
                #expect(!small.joined().contains(Self.longCampaign))
                #expect(small.contains("… \(28 - rows.count) more, quieter (a taller terminal or --campaign shows them)"), "\(small)")
                #expect(small.contains { $0.hasPrefix("Hidden to fit 80×24: ") }, "\(small)")

                try await tmux.resize(columns: 200, rows: 50)
                let large = try await tmux.capture(timeout: .seconds(30)) { $0.contains { $0.hasPrefix(Self.longCampaign + " ") } }
                #expect(large.count <= 50)
                for line in large { #expect(line.count <= 200, "wider than 200 columns: \(line)") }
                #expect(large[0].hasPrefix("PixelPulse · "))
                #expect(large[2].hasPrefix("CAMPAIGN ") && large[2].contains("UNIQUES"), "\(large[2])")
                let allRows = Self.dataRows(large)
                #expect(allRows.count == 28, "every key fits 50 rows: \(large)")
                #expect(!large.contains { $0.hasPrefix("… ") })
                #expect(allRows.map { $0.split(separator: " ")[0] } == (0..<28).map { Substring(Self.campaigns[$0 / 4]) },
                        "the busiest campaign first, each with its rollup and pixels")
                #expect(large.map(\.count).max()! > 80)

                try await tmux.send(keys: "C-c")
                let after = try await tmux.capture(timeout: .seconds(30)) { $0.contains { $0.hasPrefix("exit status") } }
                #expect(after.contains("exit status 0") && !after.contains { $0.hasPrefix("CAMPAIGN") },
                        "Ctrl-C leaves the full screen, as it was, and exits 0: \(after)")
            } catch {
                await tmux.stop()
                throw error
            }
            await tmux.stop()
        }
    }
}
