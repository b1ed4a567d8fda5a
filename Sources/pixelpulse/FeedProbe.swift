import PixelCore
import PixelSupport
import Synchronization
import ZeroMQ

/// Watches a connection to an aggregator's feed while a subscriber waits for its first
/// snapshot, so that a wait that times out can say why: nothing listening, a handshake
/// refused (CURVE on one side only, a wrong key, not a feed), or a peer that sends no
/// heartbeat.
///
/// Its own SUB socket, subscribed to `heartbeat/` only, with a monitor, on its own thread.
final class FeedProbe: Sendable {
    /// How far the connection got, or why it stopped, from the least to the most telling.
    enum Finding: Int, Comparable, Sendable {
        /// No connection event yet.
        case nothing
        /// Connecting, refused or retrying: nothing accepted the connection.
        case connecting
        /// A connection was made; no handshake result yet.
        case connected
        /// The peer answered the ZMTP handshake (and its security mechanism).
        case handshakeSucceeded
        /// The peer broke the handshake off: not a feed (another socket type, not ZeroMQ),
        /// or a CURVE server that could not read this client's handshake (a wrong key).
        case handshakeBroken
        /// The aggregator's ZAP handler refused this client's key (not in its allowlist).
        case keyNotAllowed
        /// One side uses CURVE and the other does not.
        case mechanismMismatch
        /// A heartbeat arrived: the feed is live.
        case heartbeat

        static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// `ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH`.
    private static let mechanismMismatchCode: UInt32 = 0x1100_0002

    private let best = Mutex(Finding.nothing)
    private let stopping = StopFlag()

    private init() {}

    /// Starts probing `feed`; ``stop()`` ends it.
    static func start(feed: String, curve: CurveClientCredentials?, context: Context) -> FeedProbe {
        let probe = FeedProbe()
        _ = WorkerThread.start(name: "pp-feed-probe") {
            try? probe.run(feed: feed, curve: curve, context: context)
        }
        return probe
    }

    /// The furthest the connection got so far.
    var finding: Finding { best.withLock { $0 } }

    /// Ends the probe (within 100 ms, on its thread).
    func stop() { stopping.stop() }

    private func note(_ finding: Finding) {
        best.withLock { $0 = max($0, finding) }
    }

    private func run(feed: String, curve: CurveClientCredentials?, context: Context) throws {
        let sub = try context.socket(.sub)
        defer { sub.close() }
        try sub.set(.linger, to: .zero)
        if let curve { try sub.makeCurveClient(curve) }
        let monitor = try sub.monitor(events: [
            .connected, .connectDelayed, .connectRetried, .handshakeSucceeded, .handshakeFailed, .handshakeFailedProtocol,
            .handshakeFailedAuth,
        ])
        defer { monitor.close() }
        try sub.subscribe(FeedTopic.heartbeat)
        try sub.connect(feed)
        let poller = Poller()
        poller.register(sub)
        poller.register(monitor.socket)
        while !stopping.isStopped {
            _ = try poller.poll(timeout: .milliseconds(100))
            while let event = try monitor.tryReceive() {
                switch event {
                case .connectDelayed, .connectRetried: note(.connecting)
                case .connected: note(.connected)
                case .handshakeSucceeded: note(.handshakeSucceeded)
                case .handshakeFailedProtocol(_, let code) where code == Self.mechanismMismatchCode:
                    note(.mechanismMismatch)
                case .handshakeFailedAuth: note(.keyNotAllowed)
                case .handshakeFailed, .handshakeFailedProtocol: note(.handshakeBroken)
                default: break
                }
            }
            while try sub.tryReceiveMultipart() != nil { note(.heartbeat) }
        }
    }
}
