import Logging
import PixelSupport
import Synchronization
import ZeroMQ

/// Sends sealed batches to the aggregator's ingest ROUTER over one DEALER socket, on its
/// own thread, and reads the acknowledgements.
///
/// Protocol: each batch goes out as one frame, `EventBatch.encoded()`; the aggregator
/// answers each with one `IngestAck` frame (empty frames are skipped, so an envelope
/// delimiter does no harm). Sent batches stay in ``UnackedBatches`` until acknowledged.
///
/// The socket has `ZMQ_IMMEDIATE` set, so while no aggregator is connected a send fails
/// at once instead of vanishing into a queue for a peer that is not there; the batch
/// stays in the forwarder and is retried when the connection comes up (the socket's file
/// descriptor signals that). ZMTP heartbeats notice a dead aggregator within
/// ``Settings/heartbeatTimeout``. A socket monitor tracks the link for `/readyz`: up
/// after a completed handshake, down after a disconnect (an `inproc://` link, inside one
/// process, is up from the start).
///
/// With a spool (``HitBatcher/spool``), sealed batches are read from it with a
/// ``SpoolReader`` instead of taken from the batcher's memory queue, and only while fewer
/// than ``Settings/unackedLimit`` are unacknowledged (backpressure: the rest waits on disk,
/// nothing is given up). Acknowledgements are written to the spool, which is flushed to
/// disk (`fdatasync`) about once a second while there is new data; what is not
/// acknowledged when the forwarder stops stays in the spool for the next start.
///
/// The thread (``ForwarderLoop``) sleeps in `poll(2)` on the socket's and the monitor's
/// `ZMQ_FD` and on a ``WakeSignal`` pipe, with a timeout set to the open batch's deadline,
/// so it costs nothing while idle and a lone hit leaves within the batch delay.
final class Forwarder: Sendable {
    /// Socket settings.
    struct Settings: Sendable {
        /// The aggregator's ingest endpoint.
        var endpoint: String
        /// Batches libzmq may queue on the connection (`ZMQ_SNDHWM`).
        var sendHighWaterMark = 1000
        /// How often to ping an idle connection.
        var heartbeatInterval: Duration = .seconds(1)
        /// How long to wait for any traffic after a ping before dropping the connection.
        var heartbeatTimeout: Duration = .seconds(3)
        /// The wait before reconnecting.
        var reconnectInterval: Duration = .milliseconds(100)
        /// The first wait before connecting again after the aggregator refused this
        /// collector's key (doubled on each refusal, up to 30 s).
        var refusedRetryInterval: Duration = .seconds(1)
        /// How long closing may wait to flush what is still queued.
        var linger: Duration = .milliseconds(200)
        /// The most unacknowledged batches remembered (without a spool, the oldest is given
        /// up beyond it); with a spool, the most read from it and not yet acknowledged.
        var unackedLimit = 4096
        /// With a spool: how often new records are flushed to disk.
        var spoolSyncInterval: Duration = .seconds(1)
        /// A batch unacknowledged this long while the link is up is sent again.
        var ackTimeout: Duration = .seconds(5)
        /// CURVE credentials when the aggregator's ingest is encrypted.
        var curve: CurveClientCredentials?
    }

    /// What was lost when the forwarder stopped: events never sent, or sent and never
    /// acknowledged; with a spool, nothing is lost: what is not acknowledged stays spooled.
    struct Summary: Sendable, Equatable {
        var lostBatches = 0
        var lostEvents = 0
        var spooledBatches = 0
        var spooledEvents = 0
    }

    private let settings: Settings
    private let batcher: HitBatcher
    private let wake: WakeSignal
    private let metrics: CollectorMetrics
    private let logger: Logger
    private let link: AggregatorLink
    private let drainDeadline = Mutex<ContinuousClock.Instant?>(nil)

    /// Ready once the socket is connecting; its outcome is what was left when it stopped.
    let thread = LoopThread<Void, Summary>(name: "pp-forwarder")

    init(settings: Settings, batcher: HitBatcher, wake: WakeSignal, metrics: CollectorMetrics, logger: Logger) {
        self.settings = settings
        self.batcher = batcher
        self.wake = wake
        self.metrics = metrics
        self.logger = logger
        link = AggregatorLink(endpoint: settings.endpoint, curve: settings.curve, metrics: metrics, logger: logger)
    }

    /// Whether the connection to the aggregator is up.
    var isLinkUp: Bool { link.isUp }

    /// Starts the thread.
    func start(context: Context) {
        thread.start { [self] in try run(context: context) }
    }

    /// Asks the thread to seal the open batch, send everything, wait for the
    /// acknowledgements, and stop, giving up after `timeout`.
    func drain(within timeout: Duration) {
        drainDeadline.withLock { $0 = ContinuousClock.now.advanced(by: timeout) }
        wake.signal()
    }

    private func run(context: Context) throws -> Summary {
        let dealer = try context.socket(.dealer)
        try dealer.set(.immediate, to: true)
        try dealer.set(.sendHighWaterMark, to: settings.sendHighWaterMark)
        try dealer.set(.linger, to: .zero)
        try dealer.set(.heartbeatInterval, to: settings.heartbeatInterval)
        try dealer.set(.heartbeatTimeout, to: settings.heartbeatTimeout)
        try dealer.set(.heartbeatTimeToLive, to: settings.heartbeatTimeout)
        try dealer.set(.reconnectInterval, to: settings.reconnectInterval)
        if let curve = settings.curve { try dealer.makeCurveClient(curve) }
        let monitor = try dealer.monitor(events: AggregatorLink.events)
        defer {
            try? dealer.set(.linger, to: settings.linger)
            dealer.close()
            monitor.close()
            link.set(up: false)
        }
        try dealer.connect(settings.endpoint)
        // inproc has no handshake to monitor; its peer is in this process and bound first.
        if settings.endpoint.hasPrefix("inproc://") { link.set(up: true) }
        thread.ready(())
        logger.info("Forwarding to the aggregator", metadata: ["ingest.endpoint": "\(settings.endpoint)"])

        var loop = try ForwarderLoop(
            dealer: dealer, monitor: monitor, settings: settings, batcher: batcher, wake: wake, link: link,
            metrics: metrics, logger: logger)
        defer { loop.closeSpoolSegment() }
        return try loop.run(drainDeadline: { drainDeadline.withLock { $0 } })
    }
}
