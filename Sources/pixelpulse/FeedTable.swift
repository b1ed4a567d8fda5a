import Foundation
import PixelCore
import PixelPulseClient
import PixelSupport

/// The latest stats per topic and the alerts firing now, as `watch` shows them, from
/// ``FeedClient`` states.
struct FeedTable {
    struct Row {
        var campaign: String
        var pixel: String?
        /// Window name → counters, shortest window first.
        var windows: [(name: String, counts: WindowStats)]
    }

    private(set) var rows: [String: Row] = [:]
    private(set) var lastSeq: UInt64 = 0
    private(set) var heartbeat: FeedHeartbeat?
    private(set) var heartbeatReceived: ContinuousClock.Instant?
    /// The alerts firing now, oldest first.
    private(set) var alerts: [FeedAlert] = []

    /// Takes the rows and heartbeat of a consistent feed state.
    mutating func load(_ state: FeedState) {
        lastSeq = state.seq
        if state.heartbeat != nil, state.heartbeat != heartbeat || state.event == .heartbeat {
            heartbeatReceived = .now
        }
        heartbeat = state.heartbeat
        rows = state.stats.mapValues { stats in
            Row(campaign: stats.campaign, pixel: stats.pixel,
                windows: stats.windows.sorted { Self.length($0.key) < Self.length($1.key) }.map { (name: $0.key, counts: $0.value) })
        }
    }

    /// Takes the alerts firing now from a state of an `alerts/…` stream.
    mutating func loadAlerts(_ state: FeedState) {
        alerts = state.alerts.values.sorted { ($0.startsAt, $0.fingerprint) < ($1.startsAt, $1.fingerprint) }
    }

    /// The table as text, `windows` limiting which windows are shown (all when empty).
    func render(source: String, windows: Set<String>) -> String {
        var lines: [String] = []
        var status = "PixelPulse · \(source) · seq \(lastSeq)"
        if let received = heartbeatReceived, let heartbeat {
            let age = ContinuousClock.now - received
            let seconds = age.inSeconds
            let rate = heartbeat.ingestRate
            status += seconds > 3
                ? " · NO HEARTBEAT for \(Int(seconds))s: aggregator down or unreachable"
                : " · \(Self.format(rate)) events/s · \(heartbeat.activeKeys) active keys"
        } else {
            status += " · waiting for the aggregator…"
        }
        lines.append(status)
        lines.append("")
        let header = [("CAMPAIGN", 16), ("PIXEL", 14), ("WINDOW", 6), ("VIEWS", 10), ("CLICKS", 8), ("CONV", 7),
                      ("VALUE", 11), ("UNIQUES", 8), ("CTR", 7), ("CVR", 7)]
        lines.append(header.map { Self.pad($0.0, $0.1, left: $0.0 == "CAMPAIGN" || $0.0 == "PIXEL" || $0.0 == "WINDOW") }.joined(separator: " "))
        let sorted = rows.values.sorted { ($0.campaign, $0.pixel ?? "") < ($1.campaign, $1.pixel ?? "") }
        for row in sorted {
            for (index, window) in row.windows.enumerated() where windows.isEmpty || windows.contains(window.name) {
                let counts = window.counts
                let first = index == 0 || !windows.isEmpty
                let cells = [
                    Self.pad(first ? row.campaign : "", 16, left: true),
                    Self.pad(first ? row.pixel ?? "(all)" : "", 14, left: true),
                    Self.pad(window.name, 6, left: true),
                    Self.pad("\(counts.views)", 10),
                    Self.pad("\(counts.clicks)", 8),
                    Self.pad("\(counts.conversions)", 7),
                    Self.pad(Self.money(counts.value), 11),
                    Self.pad(counts.uniques.map { "\($0)" } ?? "", 8),
                    Self.pad(Self.percent(counts.ctr), 7),
                    Self.pad(Self.percent(counts.cvr), 7),
                ]
                lines.append(cells.joined(separator: " "))
            }
        }
        if rows.isEmpty { lines.append("(no traffic yet)") }
        lines.append("")
        lines.append(alerts.isEmpty ? "No alerts firing." : "FIRING ALERTS")
        for alert in alerts {
            let since = Date(timeIntervalSince1970: Double(alert.startsAt) / 1000).formatted(date: .omitted, time: .standard)
            lines.append("  \(Self.pad(alert.severity, 8, left: true)) \(Self.pad(alert.rule, 22, left: true)) since \(since)  \(alert.summary)")
        }
        return lines.joined(separator: "\n")
    }

    private static func length(_ name: String) -> Int64 { (try? WindowSpec(parsing: name).length) ?? .max }

    private static func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
        let cut = String(text.prefix(width))
        let fill = String(repeating: " ", count: width - cut.count)
        return left ? cut + fill : fill + cut
    }

    private static func percent(_ value: Double?) -> String {
        guard let value else { return "–" }
        return String(format: "%.2f%%", value * 100)
    }

    private static func money(_ minor: UInt64) -> String { String(format: "%.2f", Double(minor) / 100) }

    private static func format(_ value: Double) -> String { String(format: "%.0f", value) }
}
