import Logging
import Metrics
import Synchronization
import ZeroMQ

/// Whether the forwarder's connection to the aggregator is up, from its socket monitor's
/// events: set on the forwarder's thread, read on any (`/readyz`). Each change is logged
/// and recorded in the `aggregatorUp` gauge; a refused key or failed handshake is logged,
/// and so is an ingest host that does not resolve (``IngestHostCheck``).
final class AggregatorLink: Sendable {
    private let endpoint: String
    private let curve: CurveClientCredentials?
    private let metrics: CollectorMetrics
    private let logger: Logger
    private let up = Atomic<Bool>(false)
    private let hostCheck: IngestHostCheck

    /// The monitor events ``note(_:)`` reads.
    static let events: SocketEvent.Mask = [
        .connected, .connectDelayed, .connectRetried, .handshakeSucceeded, .handshakeFailedAuth, .handshakeFailedProtocol,
        .disconnected,
    ]

    init(endpoint: String, curve: CurveClientCredentials?, metrics: CollectorMetrics, logger: Logger) {
        self.endpoint = endpoint
        self.curve = curve
        self.metrics = metrics
        self.logger = logger
        hostCheck = IngestHostCheck(endpoint: endpoint, logger: logger)
    }

    /// Whether the link is up.
    var isUp: Bool { up.load(ordering: .relaxed) }

    /// Notes a monitor event; returns whether the link just came up.
    func note(_ event: SocketEvent) -> Bool {
        hostCheck.note(event)
        switch event {
        case .handshakeSucceeded: return set(up: true)
        case .disconnected: set(up: false)
        case .handshakeFailedAuth(_, let status):
            logger.error("The aggregator refused this collector's key; connecting again later", metadata: [
                "ingest.endpoint": "\(endpoint)", "zap.status": "\(status)",
                "curve.key": "\(curve?.keyPair.publicKey.z85 ?? "none")"])
        case .handshakeFailedProtocol(_, let code):
            logger.error("CURVE handshake with the aggregator failed: is --aggregator-key its public key?", metadata: [
                "ingest.endpoint": "\(endpoint)", "zmtp.error": "\(code)"])
        default: break
        }
        return false
    }

    /// Records the link state; returns whether it changed.
    @discardableResult
    func set(up: Bool) -> Bool {
        guard self.up.exchange(up, ordering: .relaxed) != up else { return false }
        metrics.aggregatorUp.record(up ? 1 : 0)
        if up {
            logger.info("Aggregator link up", metadata: ["ingest.endpoint": "\(endpoint)"])
        } else {
            logger.warning("Aggregator link down", metadata: ["ingest.endpoint": "\(endpoint)"])
        }
        return true
    }
}
