import Foundation
import Logging
import PixelAggregator
import PixelCore
import PixelDashboard
import PixelPulseClient
import PixelPulseTesting
import ServiceLifecycle
import ZeroMQ

/// Sends batches to an ingest endpoint and waits for every acknowledgement.
func send(_ batches: [EventBatch], to endpoint: String, context: Context) async throws {
    let frames = batches.map { $0.encoded() }
    _ = try await onSocketThread { try sendAndAwaitAcks(frames, to: endpoint, context: context) }
}

/// `count` views of `campaign`, spread over pixels `p0`…, in one batch.
func views(_ count: Int, campaign: CampaignID, pixels: Int, sequence: UInt64) -> [EventBatch] {
    var batch = EventBatch(collector: "edge-1", sequence: sequence)
    let now = Aggregator.wallClock()
    for i in 0..<count {
        batch.append(HitEvent(time: now, kind: .view, campaign: campaign, pixel: PixelID(unchecked: "p\(i % pixels)")))
    }
    return [batch]
}

/// A dashboard following `feed`/`snapshot` on a free loopback port, run in a ServiceGroup
/// for `body`, then shut down gracefully.
func withDashboard<T: Sendable>(
    feed: String, snapshot: String, context: Context, configuration: Dashboard.Configuration = .init(port: 0),
    _ body: (Dashboard) async throws -> T
) async throws -> T {
    var logger = Logger(label: "test.dashboard")
    logger.logLevel = .warning
    let dashboard = Dashboard(configuration: configuration, client: FeedClient(feed: feed, snapshot: snapshot, context: context), logger: logger)
    let group = ServiceGroup(services: dashboard.services, logger: logger)
    let running = Task { try await group.run() }
    do {
        _ = try await dashboard.port
        let result = try await body(dashboard)
        await group.triggerGracefulShutdown()
        try await running.value
        return result
    } catch {
        await group.triggerGracefulShutdown()
        try? await running.value
        throw error
    }
}

/// A plain GET over a real connection.
func get(port: Int, _ path: String, headers: [(String, String)] = []) async throws -> TestResponse {
    try await TestHTTPConnection.request(port: port, "GET", path, headers: headers)
}

/// The decoded JSON object of `text`.
func object(_ text: String) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
}
