import Foundation
import PixelCore

/// The latest stats per topic, as `watch` shows them, built from live-feed messages.
struct FeedTable {
    struct Row {
        var campaign: String
        var pixel: String?
        var seq: Int
        /// Window name → counters, in feed order.
        var windows: [(name: String, counts: [String: Any])]
    }

    private(set) var rows: [String: Row] = [:]
    private(set) var lastSeq = 0
    private(set) var heartbeat: [String: Any]?
    private(set) var heartbeatReceived: ContinuousClock.Instant?

    /// Applies one message; returns false for a body that is not JSON.
    @discardableResult
    mutating func apply(topic: String, body: [UInt8]) -> Bool {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else { return false }
        lastSeq = max(lastSeq, object["seq"] as? Int ?? 0)
        if topic == FeedTopic.heartbeat {
            heartbeat = object
            heartbeatReceived = .now
            return true
        }
        guard topic.hasPrefix(FeedTopic.statsPrefix), let campaign = object["campaign"] as? String,
              let windows = object["windows"] as? [String: [String: Any]] else { return true }
        let seq = object["seq"] as? Int ?? 0
        guard seq > rows[topic]?.seq ?? 0 else { return true }
        let ordered = windows.sorted { Self.length($0.key) < Self.length($1.key) }.map { (name: $0.key, counts: $0.value) }
        rows[topic] = Row(campaign: campaign, pixel: object["pixel"] as? String, seq: seq, windows: ordered)
        return true
    }

    /// The table as text, `windows` limiting which windows are shown (all when empty).
    func render(source: String, windows: Set<String>) -> String {
        var lines: [String] = []
        var status = "PixelPulse · \(source) · seq \(lastSeq)"
        if let received = heartbeatReceived, let heartbeat {
            let age = ContinuousClock.now - received
            let seconds = Double(age.components.seconds) + Double(age.components.attoseconds) / 1e18
            let rate = heartbeat["ingestRate"] as? Double ?? 0
            status += seconds > 3
                ? " · NO HEARTBEAT for \(Int(seconds))s: aggregator down or unreachable"
                : " · \(Self.format(rate)) events/s · \(heartbeat["activeKeys"] as? Int ?? 0) active keys"
        } else {
            status += " · waiting for the aggregator…"
        }
        lines.append(status)
        lines.append("")
        let header = [("CAMPAIGN", 16), ("PIXEL", 14), ("WINDOW", 6), ("VIEWS", 10), ("CLICKS", 8), ("CONV", 7),
                      ("VALUE", 11), ("CTR", 7), ("CVR", 7)]
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
                    Self.pad("\(counts["views"] as? Int ?? 0)", 10),
                    Self.pad("\(counts["clicks"] as? Int ?? 0)", 8),
                    Self.pad("\(counts["conversions"] as? Int ?? 0)", 7),
                    Self.pad(Self.money(counts["value"] as? Int ?? 0), 11),
                    Self.pad(Self.percent(counts["ctr"] as? Double), 7),
                    Self.pad(Self.percent(counts["cvr"] as? Double), 7),
                ]
                lines.append(cells.joined(separator: " "))
            }
        }
        if rows.isEmpty { lines.append("(no traffic yet)") }
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

    private static func money(_ minor: Int) -> String { String(format: "%.2f", Double(minor) / 100) }

    private static func format(_ value: Double) -> String { String(format: "%.0f", value) }
}
