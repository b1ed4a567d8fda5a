import Logging
import Metrics
import PixelCore
import PixelSupport
import ZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The ``Forwarder``'s thread once its socket is connecting: rounds of the steps
/// ``run(drainDeadline:)`` calls in order, each round ended by a sleep in `poll(2)` until
/// there is something to do.
///
/// Holds what the rounds share: the sockets, the ``Outbox``, the unacknowledged batches,
/// the spool reader, and the timers for flushing the spool and for connecting again after
/// a refusal.
struct ForwarderLoop {
    /// `ZMQ_FD`: the socket's signalling file descriptor, to poll next to the wake pipe.
    private static let fileDescriptor = SocketOption<Int>(14)

    private let dealer: Socket
    private let monitor: SocketMonitor
    private let settings: Forwarder.Settings
    private let batcher: HitBatcher
    private let spool: Spool?
    private let wake: WakeSignal
    private let link: AggregatorLink
    private let metrics: CollectorMetrics
    private let logger: Logger
    /// The wake pipe's, the socket's and the monitor's descriptors, for `poll(2)`.
    private var descriptors: [pollfd]
    private var outbox = Outbox()
    private var unacked: UnackedBatches
    private var reader: SpoolReader?
    /// When the spool was last flushed to disk.
    private var lastSync: ContinuousClock.Instant
    /// Receives every frame from the aggregator.
    private let frame: Message
    /// libzmq gives up on a connection the aggregator's ZAP handler refused: it is made
    /// again `at` a later time, so that a key listed meanwhile (SIGHUP on the aggregator)
    /// gets in; `wait` is the backoff for the next refusal.
    private var retry: (at: ContinuousClock.Instant?, wait: Duration)

    /// Takes over a connecting socket and its monitor.
    init(
        dealer: Socket, monitor: SocketMonitor, settings: Forwarder.Settings, batcher: HitBatcher, wake: WakeSignal,
        link: AggregatorLink, metrics: CollectorMetrics, logger: Logger
    ) throws(ZMQError) {
        self.dealer = dealer
        self.monitor = monitor
        self.settings = settings
        self.batcher = batcher
        self.wake = wake
        self.link = link
        self.metrics = metrics
        self.logger = logger
        descriptors = [
            pollfd(fd: wake.readDescriptor, events: Int16(POLLIN), revents: 0),
            pollfd(fd: Int32(try dealer.get(Self.fileDescriptor)), events: Int16(POLLIN), revents: 0),
            pollfd(fd: Int32(try monitor.socket.get(Self.fileDescriptor)), events: Int16(POLLIN), revents: 0),
        ]
        spool = batcher.spool
        // With a spool nothing is evicted: reading stops at the limit instead.
        unacked = UnackedBatches(limit: spool == nil ? settings.unackedLimit : .max)
        reader = spool.map { SpoolReader(spool: $0, logger: logger) }
        lastSync = .now
        frame = Message()
        retry = (at: nil, wait: settings.refusedRetryInterval)
    }

    /// Closes the spool segment being read.
    mutating func closeSpoolSegment() {
        reader?.closeSegment()
    }

    /// Runs rounds until everything is sent and acknowledged after a drain began, or its
    /// deadline passes.
    ///
    /// - Parameter currentDrainDeadline: The deadline ``Forwarder/drain(within:)`` set, if
    ///   it was called; read at the start of each round.
    /// - Returns: What was left unsent or unacknowledged.
    mutating func run(drainDeadline currentDrainDeadline: () -> ContinuousClock.Instant?) throws(ZMQError) -> Forwarder.Summary {
        while true {
            wake.reset()
            let drainDeadline = currentDrainDeadline()
            do throws(ZMQError) {
                let relinked = try handleMonitorEvents()
                try reconnectIfRefusalWaitPassed()
                try receiveAcks()
                queueResends(relinked)
                let (openDeadline, took) = takeNewBatches(flush: drainDeadline != nil)
                let sent = try sendOutbox()
                recordMetrics(changed: took || sent)
                let now = syncSpoolIfDue()
                if let drainDeadline, isDrained(openDeadline: openDeadline) || now >= drainDeadline {
                    return summarize()
                }
                try sleepUntilSomethingToDo(now: now, openDeadline: openDeadline, drainDeadline: drainDeadline)
            } catch {
                guard drainDeadline != nil, error == .contextTerminated else { throw error }
                return summarize()
            }
        }
    }

    /// Notes the monitor's events, and arms the retry after a refusal.
    ///
    /// - Returns: The sent batches to send again because the link came up.
    private mutating func handleMonitorEvents() throws(ZMQError) -> [UnackedBatches.Entry] {
        var resend: [UnackedBatches.Entry] = []
        while let event = try monitor.tryReceive() {
            // Whatever was in flight when the link broke may be lost: send it all again.
            if link.note(event) {
                resend += unacked.takeSent()
                retry.wait = settings.refusedRetryInterval
            }
            if case .handshakeFailedAuth = event {
                retry.at = .now + retry.wait
                retry.wait = min(retry.wait * 2, .seconds(30))
            }
        }
        return resend
    }

    /// Connects again once the wait after a refusal has passed.
    private mutating func reconnectIfRefusalWaitPassed() throws(ZMQError) {
        guard let at = retry.at, at <= .now else { return }
        retry.at = nil
        try? dealer.disconnect(settings.endpoint)
        try dealer.connect(settings.endpoint)
    }

    /// Reads every frame the aggregator has sent.
    private mutating func receiveAcks() throws(ZMQError) {
        while try dealer.tryReceive(frame) { handleAck(frame) }
    }

    /// Counts an ack and forgets its batch: in memory, and in the spool.
    private mutating func handleAck(_ frame: Message) {
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
        batcher.fates.resolve(ack)
    }

    /// Puts at the head of the outbox the batches to send again: `relinked`, and while the
    /// link is up those whose ack is overdue.
    private mutating func queueResends(_ relinked: [UnackedBatches.Entry]) {
        var resend = relinked
        if link.isUp { resend += unacked.takeSent(before: .now - settings.ackTimeout) }
        guard !resend.isEmpty else { return }
        // The aggregator de-duplicates by (collector, sequence), so a batch it did count
        // before is acknowledged as a duplicate, not counted twice.
        outbox.putFirst(resend)
        metrics.batchesResent.increment(by: Int64(resend.count))
        logger.info("Sending unacknowledged batches again", metadata: ["batches": "\(resend.count)"])
    }

    /// Adds to the outbox the batches sealed since the last round: from the batcher's memory
    /// queue, and from the spool while fewer than the limit are unacknowledged.
    ///
    /// - Parameter flush: Seal the open batch even before it is due.
    /// - Returns: When the open batch will be due, and whether any batch was added.
    private mutating func takeNewBatches(flush: Bool) -> (openDeadline: ContinuousClock.Instant?, took: Bool) {
        let (batches, deadline) = batcher.takeSealed(now: .now, flush: flush)
        outbox.append(batches)
        var took = !batches.isEmpty
        let room = settings.unackedLimit - unacked.count - outbox.count
        if room > 0, let batches = reader?.read(limit: room), !batches.isEmpty {
            outbox.append(batches)
            took = true
        }
        return (deadline, took)
    }

    /// Sends from the outbox while the socket takes them, each becoming unacknowledged.
    ///
    /// - Returns: Whether any was sent.
    private mutating func sendOutbox() throws(ZMQError) -> Bool {
        var sent = 0
        while let item = outbox.first, try dealer.trySend(item.bytes) {
            outbox.removeFirst()
            sent += 1
            metrics.batchesSent.increment()
            metrics.eventsSent.increment(by: Int64(item.events))
            let entry = UnackedBatches.Entry(
                sequence: item.sequence, events: item.events, bytes: item.bytes, sentAt: .now)
            if let evicted = unacked.append(entry) {
                // Past the bound the oldest is given up: it can no longer be sent again.
                metrics.droppedUnackedOverflow.increment(by: Int64(evicted.events))
                logger.warning(
                    "Gave up an unacknowledged batch; too many are waiting for acks",
                    metadata: ["batch.sequence": "\(evicted.sequence)", "batch.events": "\(evicted.events)"])
            }
        }
        guard sent > 0 else { return false }
        batcher.markSent(sent)
        outbox.compactIfEmpty()
        return true
    }

    /// Records the queue gauges: every round with a spool, else when batches were taken or sent.
    private func recordMetrics(changed: Bool) {
        if let spool {
            // Seals and deletions happen on other paths too: record these every round.
            metrics.queuedBatches.record(spool.pending.batches - (reader?.outstandingCount ?? 0))
            metrics.unackedBatches.record(unacked.count)
            metrics.spoolBytes.record(spool.liveBytes)
        } else if changed {
            metrics.queuedBatches.record(batcher.queuedBatches)
            metrics.unackedBatches.record(unacked.count)
        }
    }

    /// Flushes the spool to disk when it has new data and the sync interval has passed.
    ///
    /// - Returns: The time after that.
    private mutating func syncSpoolIfDue() -> ContinuousClock.Instant {
        let now = ContinuousClock.now
        guard let spool, now - lastSync >= settings.spoolSyncInterval, spool.needsSync else { return now }
        spool.sync()
        lastSync = now
        return .now
    }

    /// Whether everything is sent and acknowledged, with no open batch and nothing left to
    /// read from the spool.
    private func isDrained(openDeadline: ContinuousClock.Instant?) -> Bool {
        outbox.isEmpty && unacked.isEmpty && openDeadline == nil && reader?.isAtEnd != false
    }

    /// Sleeps until a descriptor is readable or the next timer is due, unless a socket
    /// already has something to do.
    private mutating func sleepUntilSomethingToDo(
        now: ContinuousClock.Instant, openDeadline: ContinuousClock.Instant?, drainDeadline: ContinuousClock.Instant?
    ) throws(ZMQError) {
        // ZMQ_FD is edge-triggered: sleep only once ZMQ_EVENTS says nothing is ready.
        let events = try dealer.events
        let monitorEvents = try monitor.socket.events
        if events.contains(.readable) || (!outbox.isEmpty && events.contains(.writable)) || monitorEvents.contains(.readable) {
            return
        }
        var wait: Duration = outbox.isEmpty ? .seconds(1) : .milliseconds(100)
        if let spool, spool.needsSync { wait = min(wait, max(.zero, now.duration(to: lastSync + settings.spoolSyncInterval))) }
        if let openDeadline, openDeadline > now { wait = min(wait, now.duration(to: openDeadline)) }
        if let at = retry.at { wait = min(wait, max(.zero, now.duration(to: at))) }
        if let drainDeadline { wait = min(wait, max(.zero, now.duration(to: drainDeadline))) }
        Self.wait(on: &descriptors, timeout: wait)
    }

    /// What is left when the loop stops, logged; without a spool, the events lost are also
    /// counted.
    private func summarize() -> Forwarder.Summary {
        if let spool {
            spool.sync()
            let (batches, events) = spool.pending
            if batches > 0 {
                logger.notice(
                    "Stopped with batches not acknowledged by the aggregator; they stay spooled for the next start",
                    metadata: ["batches.spooled": "\(batches)", "events.spooled": "\(events)",
                               "spool.directory": "\(spool.recovery.directory)"])
            }
            return Forwarder.Summary(spooledBatches: batches, spooledEvents: events)
        }
        let unsent = outbox.waiting
        let unsentEvents = unsent.reduce(0) { $0 + $1.events } + batcher.openEvents
        let summary = Forwarder.Summary(
            lostBatches: unsent.count + unacked.count, lostEvents: unsentEvents + unacked.events)
        metrics.droppedShutdown.increment(by: Int64(summary.lostEvents))
        if summary.lostEvents > 0 {
            logger.warning(
                "Stopped with events not acknowledged by the aggregator",
                metadata: [
                    "batches.unsent": "\(unsent.count)", "batches.unacked": "\(unacked.count)",
                    "events.lost": "\(summary.lostEvents)",
                ])
        }
        return summary
    }

    /// Waits in `poll(2)` until a descriptor is readable or the timeout passes; the timeout
    /// is rounded up, so that a wait does not end just before a deadline.
    private static func wait(on descriptors: inout [pollfd], timeout: Duration) {
        let milliseconds = Int32(clamping: max(0, timeout.milliseconds(rounded: .up)))
        for index in descriptors.indices { descriptors[index].revents = 0 }
        _ = descriptors.withUnsafeMutableBufferPointer {
            poll($0.baseAddress, nfds_t($0.count), milliseconds)
        }
    }
}
