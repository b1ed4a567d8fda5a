import ArgumentParser
import Foundation
import PixelCore
import PixelPulseClient
import PixelSupport

/// The latest stats per key and the alerts firing now, as `watch` and `top` show them, from
/// ``FeedClient`` states.
struct FeedTable {
    struct Row {
        var campaign: String
        /// `nil` for the campaign's rollup.
        var pixel: String?
        /// Window name → counters, shortest window first.
        var windows: [(name: String, counts: WindowStats)]

        func counts(in window: String) -> WindowStats? { windows.first { $0.name == window }?.counts }

        /// Views, clicks and conversions in `window` (the longest when `nil`): how busy the key is.
        func activity(in window: String?) -> UInt64 {
            guard let counts = window.flatMap(counts(in:)) ?? windows.last?.counts else { return 0 }
            return counts.views + counts.clicks + counts.conversions
        }
    }

    /// A campaign: its rollup, then its pixels, busiest first.
    struct Group {
        var campaign: String
        var rollup: Row?
        var pixels: [Row]

        var rows: [Row] { (rollup.map { [$0] } ?? []) + pixels }
    }

    /// `campaign/pixel` (`campaign/*` for a rollup) → its latest stats.
    private(set) var rows: [String: Row] = [:]
    private(set) var lastSeq: UInt64 = 0
    private(set) var lastTime: Int64 = 0
    private(set) var heartbeat: FeedHeartbeat?
    private(set) var heartbeatReceived: ContinuousClock.Instant?
    /// The alerts firing now, oldest first.
    private(set) var alerts: [FeedAlert] = []

    /// Takes the rows and heartbeat of a consistent feed state.
    mutating func load(_ state: FeedState) {
        let fresh = state.heartbeat != nil && (state.heartbeat != heartbeat || state.event == .heartbeat)
        load(stats: Array(state.stats.values), seq: state.seq, heartbeat: state.heartbeat, heartbeatIsNew: fresh)
    }

    /// Takes `stats` (every key of the prefix) and the latest heartbeat.
    ///
    /// - Parameter heartbeatIsNew: Whether the heartbeat just arrived (the status line
    ///   counts its age from now).
    mutating func load(stats: [FeedStats], seq: UInt64, heartbeat: FeedHeartbeat?, heartbeatIsNew: Bool = true) {
        lastSeq = seq
        lastTime = stats.map(\.time).max() ?? lastTime
        if heartbeat != nil, heartbeatIsNew { heartbeatReceived = .now }
        self.heartbeat = heartbeat
        rows = Dictionary(stats.map { stats in
            let row = Row(campaign: stats.campaign, pixel: stats.pixel,
                          windows: stats.windows.sorted { Self.length($0.key) < Self.length($1.key) }.map { (name: $0.key, counts: $0.value) })
            return ("\(stats.campaign)/\(stats.pixel ?? FeedTopic.rollupMarker)", row)
        }, uniquingKeysWith: { first, _ in first })
    }

    /// Takes the alerts firing now from a state of an `alerts/…` stream.
    mutating func loadAlerts(_ state: FeedState) { loadAlerts(Array(state.alerts.values)) }

    /// Takes the alerts firing now.
    mutating func loadAlerts(_ firing: [FeedAlert]) {
        alerts = firing.sorted { ($0.startsAt, $0.fingerprint) < ($1.startsAt, $1.fingerprint) }
    }

    /// The windows the aggregator keeps, shortest first, as its stats bodies name them;
    /// empty until it has published a key.
    var windowsKept: [String] { rows.values.first?.windows.map(\.name) ?? [] }

    /// Those of `requested` that the aggregator does not keep; `nil` while that is unknown
    /// (no key published yet).
    func unknownWindows(_ requested: [String]) -> [String]? {
        let kept = windowsKept
        guard !kept.isEmpty else { return nil }
        return requested.filter { !kept.contains($0) }
    }

    /// Fails with ``SubscriberFailure/unknownWindows(_:kept:source:)`` when the aggregator
    /// at `source` is known not to keep one of `windows`.
    func check(windows: [String], source: String) throws {
        if let unknown = unknownWindows(windows), !unknown.isEmpty {
            throw SubscriberFailure.unknownWindows(unknown, kept: windowsKept, source: source)
        }
    }

    /// The window names of a `--window` value (`1m,1h`; `60s` is `1m`), shortest first, as
    /// the aggregator names them; empty for none.
    static func windowNames(_ text: String?, option: String = "--window") throws -> [String] {
        var names: [String] = []
        do {
            for part in (text ?? "").split(separator: ",") {
                let name = try WindowSpec(parsing: part.trimmingCharacters(in: .whitespaces)).name
                if !names.contains(name) { names.append(name) }
            }
        } catch {
            throw ValidationError("\(option): \(error)")
        }
        return names.sorted { length($0) < length($1) }
    }

    /// The campaigns, busiest first by their rollup's activity in `window` (the longest when
    /// `nil`), each with its pixels busiest first; ties in name order.
    func groups(busiestIn window: String?) -> [Group] {
        func busier(_ a: Row, _ b: Row) -> Bool {
            let (left, right) = (a.activity(in: window), b.activity(in: window))
            return left != right ? left > right : (a.pixel ?? "") < (b.pixel ?? "")
        }
        var groups: [String: Group] = [:]
        for row in rows.values {
            if row.pixel == nil {
                groups[row.campaign, default: Group(campaign: row.campaign, pixels: [])].rollup = row
            } else {
                groups[row.campaign, default: Group(campaign: row.campaign, pixels: [])].pixels.append(row)
            }
        }
        func activity(_ group: Group) -> UInt64 {
            group.rollup?.activity(in: window) ?? group.pixels.reduce(0) { $0 + $1.activity(in: window) }
        }
        return groups.values.map { group in
            var group = group
            group.pixels.sort(by: busier)
            return group
        }.sorted { activity($0) != activity($1) ? activity($0) > activity($1) : $0.campaign < $1.campaign }
    }

    static func length(_ name: String) -> Int64 { (try? WindowSpec(parsing: name).length) ?? .max }
}
