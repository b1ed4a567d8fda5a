import Logging
import Metrics
import PixelCore
import PixelSupport
import Synchronization
import ZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

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
/// The thread sleeps in `poll(2)` on the socket's and the monitor's `ZMQ_FD` and on a
/// ``WakeSignal`` pipe, with a timeout set to the open batch's deadline, so it costs
/// nothing while idle and a lone hit leaves within the batch delay.
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

    /// `ZMQ_FD`: the socket's signalling file descriptor, to poll next to the wake pipe.
    private static let fileDescriptor = SocketOption<Int>(14)

    private let settings: Settings
    private let batcher: HitBatcher
    private let wake: WakeSignal
    private let metrics: CollectorMetrics
    private let logger: Logger
    private let linkUp = Atomic<Bool>(false)
    private let drainDeadline = Mutex<ContinuousClock.Instant?>(nil)

    /// Resolved once the socket is connecting, or with the error that prevented it.
    let started = OneShot<Void>()
    /// Resolved when the thread ends.
    let finished = OneShot<Summary>()

    init(settings: Settings, batcher: HitBatcher, wake: WakeSignal, metrics: CollectorMetrics, logger: Logger) {
        self.settings = settings
        self.batcher = batcher
        self.wake = wake
        self.metrics = metrics
        self.logger = logger
    }

    /// Whether the connection to the aggregator is up.
    var isLinkUp: Bool { linkUp.load(ordering: .relaxed) }

    /// Starts the thread.
    func start(context: Context) -> WorkerThread {
        WorkerThread.start(name: "pp-forwarder") { [self] in
            do {
                finished.succeed(try run(context: context))
            } catch {
                started.fail(error)
                finished.fail(error)
                throw error
            }
        }
    }

    /// Asks the thread to seal the open batch, send everything, wait for the
    /// acknowledgements, and stop, giving up after `timeout`.
    func drain(within timeout: Duration) {
        drainDeadline.withLock { $0 = ContinuousClock.now.advanced(by: timeout) }
        wake.signal()
    }

    private struct Outgoing {
        let sequence: UInt64
        let events: Int
        let bytes: [UInt8]
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
        let monitor = try dealer.monitor(events: [.handshakeSucceeded, .handshakeFailedAuth, .handshakeFailedProtocol, .disconnected])
        defer {
            try? dealer.set(.linger, to: settings.linger)
            dealer.close()
            monitor.close()
            setLink(up: false)
        }
        try dealer.connect(settings.endpoint)
        // inproc has no handshake to monitor; its peer is in this process and bound first.
        if settings.endpoint.hasPrefix("inproc://") { setLink(up: true) }
        started.succeed(())
        logger.info("Forwarding to the aggregator", metadata: ["ingest.endpoint": "\(settings.endpoint)"])

        var descriptors = [
            pollfd(fd: wake.readDescriptor, events: Int16(POLLIN), revents: 0),
            pollfd(fd: Int32(try dealer.get(Self.fileDescriptor)), events: Int16(POLLIN), revents: 0),
            pollfd(fd: Int32(try monitor.socket.get(Self.fileDescriptor)), events: Int16(POLLIN), revents: 0),
        ]
        var outbox: [Outgoing] = []
        var outboxHead = 0
        let spool = batcher.spool
        // With a spool nothing is evicted: reading stops at the limit instead.
        var unacked = UnackedBatches(limit: spool == nil ? settings.unackedLimit : .max)
        var reader = spool.map { SpoolReader(spool: $0, logger: logger) }
        defer { reader?.closeSegment() }
        var lastSync = ContinuousClock.now
        let frame = Message()
        // libzmq gives up on a connection the aggregator's ZAP handler refused: it is made
        // again later, so that a key listed meanwhile (SIGHUP on the aggregator) gets in.
        var retry = (at: ContinuousClock.Instant?.none, wait: settings.refusedRetryInterval)

        while true {
            wake.reset()
            let drainDeadline = drainDeadline.withLock { $0 }
            do {
                var resend: [UnackedBatches.Entry] = []
                while let event = try monitor.tryReceive() {
                    // Whatever was in flight when the link broke may be lost: send it all again.
                    if handle(event) {
                        resend += unacked.takeSent()
                        retry.wait = settings.refusedRetryInterval
                    }
                    if case .handshakeFailedAuth = event {
                        retry.at = .now + retry.wait
                        retry.wait = min(retry.wait * 2, .seconds(30))
                    }
                }
                if let at = retry.at, at <= .now {
                    retry.at = nil
                    try? dealer.disconnect(settings.endpoint)
                    try dealer.connect(settings.endpoint)
                }
                while try dealer.tryReceive(frame) { handleAck(frame, unacked: &unacked, reader: &reader) }
                if isLinkUp { resend += unacked.takeSent(before: .now - settings.ackTimeout) }
                if !resend.isEmpty {
                    // The aggregator de-duplicates by (collector, sequence), so a batch it did
                    // count before is acknowledged as a duplicate, not counted twice.
                    outbox.insert(contentsOf: resend.map { Outgoing(sequence: $0.sequence, events: $0.events, bytes: $0.bytes) },
                                  at: outboxHead)
                    metrics.batchesResent.increment(by: Int64(resend.count))
                    logger.info("Sending unacknowledged batches again", metadata: ["batches": "\(resend.count)"])
                }

                var changed = false
                let (batches, deadline) = batcher.takeSealed(now: .now, flush: drainDeadline != nil)
                for batch in batches {
                    outbox.append(Outgoing(sequence: batch.sequence, events: batch.count, bytes: batch.encoded()))
                    changed = true
                }
                let room = settings.unackedLimit - unacked.count - (outbox.count - outboxHead)
                if room > 0, let batches = reader?.read(limit: room), !batches.isEmpty {
                    for batch in batches {
                        outbox.append(Outgoing(sequence: batch.sequence, events: batch.count, bytes: batch.encoded()))
                    }
                    changed = true
                }
                var sent = 0
                while outboxHead < outbox.count, try dealer.trySend(outbox[outboxHead].bytes) {
                    let item = outbox[outboxHead]
                    outboxHead += 1
                    sent += 1
                    metrics.batchesSent.increment()
                    metrics.eventsSent.increment(by: Int64(item.events))
                    let entry = UnackedBatches.Entry(
                        sequence: item.sequence, events: item.events, bytes: item.bytes, sentAt: .now)
                    if let evicted = unacked.append(entry) {
                        // Past the bound the oldest is given up: it can no longer be sent again.
                        metrics.droppedUnackedOverflow.increment(by: Int64(evicted.events))
                        logger.warning(
                            "Gave up an unacknowledged batch: too many are waiting for acks",
                            metadata: ["batch.sequence": "\(evicted.sequence)", "batch.events": "\(evicted.events)"])
                    }
                }
                if sent > 0 {
                    batcher.markSent(sent)
                    changed = true
                    if outboxHead == outbox.count {
                        outbox.removeAll(keepingCapacity: true)
                        outboxHead = 0
                    }
                }
                if let spool {
                    // Seals and deletions happen on other paths too: record these every round.
                    metrics.queuedBatches.record(spool.pending.batches - (reader?.outstandingCount ?? 0))
                    metrics.unackedBatches.record(unacked.count)
                    metrics.spoolBytes.record(spool.liveBytes)
                } else if changed {
                    metrics.queuedBatches.record(batcher.queuedBatches)
                    metrics.unackedBatches.record(unacked.count)
                }

                var now = ContinuousClock.now
                if let spool {
                    if now - lastSync >= settings.spoolSyncInterval, spool.needsSync {
                        spool.sync()
                        lastSync = now
                        now = .now
                    }
                }
                if let drainDeadline {
                    let done = outboxHead == outbox.count && unacked.isEmpty && deadline == nil && reader?.isAtEnd != false
                    if done || now >= drainDeadline {
                        return summarize(outbox: outbox[outboxHead...], unacked: unacked)
                    }
                }

                // ZMQ_FD is edge-triggered: sleep only once ZMQ_EVENTS says nothing is ready.
                let events = try dealer.events
                let monitorEvents = try monitor.socket.events
                if events.contains(.readable) || (outboxHead < outbox.count && events.contains(.writable))
                    || monitorEvents.contains(.readable)
                {
                    continue
                }

                var wait: Duration = outboxHead < outbox.count ? .milliseconds(100) : .seconds(1)
                if let spool, spool.needsSync { wait = min(wait, max(.zero, now.duration(to: lastSync + settings.spoolSyncInterval))) }
                if let deadline, deadline > now { wait = min(wait, now.duration(to: deadline)) }
                if let at = retry.at { wait = min(wait, max(.zero, now.duration(to: at))) }
                if let drainDeadline { wait = min(wait, max(.zero, now.duration(to: drainDeadline))) }
                Self.wait(on: &descriptors, timeout: wait)
            } catch {
                guard drainDeadline != nil, error == .contextTerminated else { throw error }
                return summarize(outbox: outbox[outboxHead...], unacked: unacked)
            }
        }
    }

    /// Notes a monitor event; returns whether the link just came up.
    private func handle(_ event: SocketEvent) -> Bool {
        switch event {
        case .handshakeSucceeded: return setLink(up: true)
        case .disconnected: setLink(up: false)
        case .handshakeFailedAuth(_, let status):
            logger.error("The aggregator refused this collector's key; connecting again later", metadata: [
                "ingest.endpoint": "\(settings.endpoint)", "zap.status": "\(status)",
                "curve.key": "\(settings.curve?.keyPair.publicKey.z85 ?? "none")"])
        case .handshakeFailedProtocol(_, let code):
            logger.error("CURVE handshake with the aggregator failed: is --aggregator-key its public key?", metadata: [
                "ingest.endpoint": "\(settings.endpoint)", "zmtp.error": "\(code)"])
        default: break
        }
        return false
    }

    /// Records the link state; returns whether it changed.
    @discardableResult
    private func setLink(up: Bool) -> Bool {
        guard linkUp.exchange(up, ordering: .relaxed) != up else { return false }
        metrics.aggregatorUp.record(up ? 1 : 0)
        if up {
            logger.info("Aggregator link up", metadata: ["ingest.endpoint": "\(settings.endpoint)"])
        } else {
            logger.warning("Aggregator link down", metadata: ["ingest.endpoint": "\(settings.endpoint)"])
        }
        return true
    }

    private func handleAck(_ frame: Message, unacked: inout UnackedBatches, reader: inout SpoolReader?) {
        guard frame.count > 0 else { return }
        guard let ack = frame.withUnsafeBytes({ IngestAck(decoding: $0) }) else {
            metrics.acksInvalid.increment()
            logger.warning("Ignored a frame that is not an ingest ack", metadata: ["frame.bytes": "\(frame.count)"])
            return
        }
        switch ack.status {
        case .accepted:
            metrics.acksAccepted.increment()
        case .duplicate:
            metrics.acksDuplicate.increment()
        case .rejected:
            metrics.acksRejected.increment()
            logger.error("The aggregator rejected a batch", metadata: ["batch.sequence": "\(ack.sequence)"])
        }
        if unacked.remove(sequence: ack.sequence) != nil {
            metrics.unackedBatches.record(unacked.count)
        }
        // Also for a batch waiting to be sent again: the earlier send was acknowledged.
        reader?.acknowledge(ack.sequence)
    }

    private func summarize(outbox: ArraySlice<Outgoing>, unacked: UnackedBatches) -> Summary {
        if let spool = batcher.spool {
            spool.sync()
            let (batches, events) = spool.pending
            if batches > 0 {
                logger.notice(
                    "Stopped with batches not acknowledged by the aggregator: they stay spooled for the next start",
                    metadata: ["batches.spooled": "\(batches)", "events.spooled": "\(events)",
                               "spool.directory": "\(spool.recovery.directory)"])
            }
            return Summary(spooledBatches: batches, spooledEvents: events)
        }
        let unsentEvents = outbox.reduce(0) { $0 + $1.events } + batcher.openEvents
        let summary = Summary(
            lostBatches: outbox.count + unacked.count, lostEvents: unsentEvents + unacked.events)
        metrics.droppedShutdown.increment(by: Int64(summary.lostEvents))
        if summary.lostEvents > 0 {
            logger.warning(
                "Stopped with events not acknowledged by the aggregator",
                metadata: [
                    "batches.unsent": "\(outbox.count)", "batches.unacked": "\(unacked.count)",
                    "events.lost": "\(summary.lostEvents)",
                ])
        }
        return summary
    }

    /// Waits in `poll(2)` until a descriptor is readable or the timeout passes.
    private static func wait(on descriptors: inout [pollfd], timeout: Duration) {
        let (seconds, attoseconds) = timeout.components
        let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        let clamped = Int32(clamping: max(0, milliseconds))
        for index in descriptors.indices { descriptors[index].revents = 0 }
        _ = descriptors.withUnsafeMutableBufferPointer {
            poll($0.baseAddress, nfds_t($0.count), clamped)
        }
    }
}
