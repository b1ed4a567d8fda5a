import NIOCore
import PixelCore
import PixelSupport
import Synchronization

/// Gathers hits into ``EventBatch``es and queues sealed batches for the ``Forwarder``.
///
/// This is the one lock on the HTTP path: ``record(_:)`` holds a `Mutex` for an append.
/// A batch is sealed when it reaches `batchSize` events (by ``record(_:)``) or `batchDelay`
/// after its first event (by the forwarder's timer, so a lone hit leaves on time without
/// further traffic). Sealed batches wait in a queue bounded by `queueLimit`, counting those
/// the forwarder has taken but not yet sent; while it is full, new hits are dropped and
/// ``record(_:)`` says so, so the HTTP path never waits.
///
/// With a ``Spool``, each hit is written to it (a hit record) before ``record(_:)``
/// returns, and sealing writes a seal record instead of queueing the batch: the forwarder
/// reads sealed batches back from the spool, and the memory queue is not used. The open
/// batch is still kept, for its count and the format's limits. A hit the spool refuses
/// (full, or a write error) is dropped and ``record(_:)`` says why.
final class HitBatcher: Sendable {
    /// What happened to a recorded hit.
    enum Outcome: Equatable {
        case accepted
        case dropped(DropReason)
    }

    /// Why a hit was not recorded.
    enum DropReason: Error, Equatable {
        /// The memory queue was full.
        case queueFull
        /// The spool holds its limit.
        case spoolFull
        /// Writing to the spool failed.
        case spoolError
    }

    private struct State {
        var open: EventBatch
        /// When the open batch is due; set when its first event arrives.
        var deadline: ContinuousClock.Instant?
        /// Without a spool: the memory queue.
        var sealed: [EventBatch] = []
        /// Batches the forwarder took and has not sent yet.
        var held = 0
        var nextSequence: UInt64
        /// With a spool: the open batch's seal record could not be written yet.
        var sealPending = false

        var queued: Int { sealed.count + held }

        /// Replaces the open batch with the next, empty; returns the one replaced.
        mutating func startNextBatch() -> EventBatch {
            var batch = EventBatch(collector: open.collector, sequence: nextSequence)
            nextSequence &+= 1
            deadline = nil
            swap(&batch, &open)
            return batch
        }
    }

    let batchSize: Int
    let batchDelay: Duration
    let queueLimit: Int
    /// Where hits and seals are written, when the collector spools.
    let spool: Spool?
    /// The requests waiting for the fates of their batch (``submit(_:waiting:)``).
    let fates = FateWaiters()
    private let state: Mutex<State>
    private let sink: any SealedBatchSink
    private let wake: WakeSignal

    /// Creates a batcher.
    ///
    /// - Parameters:
    ///   - collector: The id every batch carries.
    ///   - firstSequence: The first batch's sequence number; each next batch adds one.
    ///   - batchSize: Events that seal a batch (1…65 536).
    ///   - batchDelay: How long after its first event a batch is sealed anyway.
    ///   - queueLimit: The most sealed batches waiting to be sent.
    ///   - wake: Signalled when the forwarder has something new to look at.
    ///   - spool: Write every hit and seal here, instead of queueing sealed batches.
    init(
        collector: CollectorID, firstSequence: UInt64, batchSize: Int, batchDelay: Duration,
        queueLimit: Int, wake: WakeSignal, spool: Spool? = nil
    ) {
        precondition((1...EventBatch.maxEvents).contains(batchSize), "batchSize must be 1...\(EventBatch.maxEvents)")
        precondition(queueLimit >= 1, "queueLimit must be at least 1")
        self.batchSize = batchSize
        self.batchDelay = batchDelay
        self.queueLimit = queueLimit
        self.wake = wake
        self.spool = spool
        if let spool { sink = SpoolSink(spool: spool) } else { sink = MemoryQueueSink(limit: queueLimit) }
        state = Mutex(State(
            open: EventBatch(collector: collector, sequence: firstSequence), nextSequence: firstSequence &+ 1))
    }

    /// Adds a hit to the open batch, sealing it when full.
    func record(_ hit: HitEvent) -> Outcome {
        let (outcome, signal): (Outcome, Bool) = state.withLock { state in
            if let reason = sink.refusal(&state) { return (.dropped(reason), false) }
            var signal = false
            if !state.open.canAppend(hit) {
                guard sink.seal(&state) else { return (.dropped(.spoolError), false) }  // only a seal record fails
                signal = true
                if let reason = sink.refusal(&state) { return (.dropped(reason), true) }
            }
            if let reason = sink.write(hit, sequence: state.open.sequence) { return (.dropped(reason), signal) }
            let wasEmpty = state.open.isEmpty
            state.open.append(hit)
            if state.open.count >= batchSize {
                _ = sink.seal(&state)  // a failed seal is tried again by the next call
                return (.accepted, true)
            }
            if wasEmpty {
                state.deadline = ContinuousClock.now.advanced(by: batchDelay)
                return (.accepted, true)  // the forwarder must arm its timer
            }
            return (.accepted, signal)
        }
        if signal { wake.signal() }
        return outcome
    }

    /// Seals `hits` as a batch of their own that asks the aggregator for each event's fate,
    /// which `promise` then gets (through ``fates``, when the forwarder reads the ack).
    ///
    /// The open batch is sealed first, so the new batch holds these hits alone, in order.
    /// With a spool, a write that fails midway seals the hits written so far.
    ///
    /// - Returns: The batch's sequence and how many of `hits` (from the first) it holds, or
    ///   why none could be stored.
    func submit(_ hits: [HitEvent], waiting promise: EventLoopPromise<FateWaiters.Answer>) -> Result<(sequence: UInt64, stored: Int), DropReason> {
        let result: Result<(sequence: UInt64, stored: Int), DropReason> = state.withLock { state in
            if let reason = sink.refusal(&state) { return .failure(reason) }
            if !state.open.isEmpty {
                guard sink.seal(&state) else { return .failure(.spoolError) }
            }
            let sequence = state.open.sequence
            var stored = 0
            var refusal: DropReason?
            for hit in hits {
                guard state.open.canAppend(hit) else { break }
                refusal = sink.write(hit, sequence: sequence)
                guard refusal == nil else { break }
                state.open.append(hit)
                stored += 1
            }
            guard stored > 0 else { return .failure(refusal ?? .spoolError) }
            state.open.reportsFates = true
            state.deadline = .now  // due at once: a seal that fails now is tried again by the timer
            fates.register(sequence, promise)
            _ = sink.seal(&state)  // a failed seal is tried again by the next call or the timer
            return .success((sequence, stored))
        }
        if case .success = result { wake.signal() }
        return result
    }

    /// Hands the forwarder every sealed batch, first sealing the open batch when it is due.
    ///
    /// The batches count against the queue limit until ``markSent(_:)``. With a spool,
    /// only seals the open batch when due (the forwarder reads batches from the spool).
    ///
    /// - Parameters:
    ///   - now: The current time.
    ///   - flush: Seal the open batch even before its deadline, regardless of the limit
    ///     (used when shutting down).
    /// - Returns: The batches, oldest first, and when the open batch will be due.
    func takeSealed(now: ContinuousClock.Instant, flush: Bool = false) -> (batches: [EventBatch], deadline: ContinuousClock.Instant?) {
        state.withLock { state in
            if let deadline = state.deadline, !state.open.isEmpty, flush || sink.sealsOnTimer(isDue: deadline <= now, state) {
                _ = sink.seal(&state)
            }
            return (sink.take(&state), state.open.isEmpty ? nil : state.deadline)
        }
    }

    /// Releases queue room for batches the forwarder has sent (or given up on).
    func markSent(_ count: Int) {
        state.withLock { $0.held -= count }
    }

    /// Batches waiting to be sent, including those the forwarder holds.
    var queuedBatches: Int {
        state.withLock { $0.queued }
    }

    /// Events not yet in a sealed batch.
    var openEvents: Int {
        state.withLock { $0.open.count }
    }
}

extension HitBatcher {
    /// Where sealed batches go: the memory queue, or the spool. Called with the lock held;
    /// only these steps differ between the two.
    private protocol SealedBatchSink: Sendable {
        /// Why the open batch cannot take a hit now, if it cannot.
        func refusal(_ state: inout State) -> DropReason?
        /// Stores what must be stored before a hit joins the open batch (`sequence`).
        func write(_ hit: HitEvent, sequence: UInt64) -> DropReason?
        /// Seals the open batch; returns false when it stays open, to be sealed again later.
        func seal(_ state: inout State) -> Bool
        /// Whether the forwarder's timer seals the open batch, `isDue` telling whether its
        /// deadline has passed.
        func sealsOnTimer(isDue: Bool, _ state: State) -> Bool
        /// Takes the sealed batches for the forwarder to send.
        func take(_ state: inout State) -> [EventBatch]
    }

    /// Sealed batches wait in memory, up to `limit` with those the forwarder holds.
    private struct MemoryQueueSink: SealedBatchSink {
        let limit: Int

        func refusal(_ state: inout State) -> DropReason? {
            state.queued < limit ? nil : .queueFull
        }

        func write(_ hit: HitEvent, sequence: UInt64) -> DropReason? { nil }

        func seal(_ state: inout State) -> Bool {
            state.sealed.append(state.startNextBatch())
            return true
        }

        func sealsOnTimer(isDue: Bool, _ state: State) -> Bool {
            isDue && state.queued < limit
        }

        func take(_ state: inout State) -> [EventBatch] {
            var batches: [EventBatch] = []
            swap(&batches, &state.sealed)
            state.held += batches.count
            return batches
        }
    }

    /// Each hit and each seal is a record in the spool, which the forwarder reads back.
    private struct SpoolSink: SealedBatchSink {
        let spool: Spool

        /// A seal record that could not be written is tried again first.
        func refusal(_ state: inout State) -> DropReason? {
            state.sealPending && !seal(&state) ? .spoolError : nil
        }

        func write(_ hit: HitEvent, sequence: UInt64) -> DropReason? {
            switch spool.appendHit(hit, sequence: sequence) {
            case .written: nil
            case .full: .spoolFull
            case .failed: .spoolError
            }
        }

        func seal(_ state: inout State) -> Bool {
            guard spool.appendSeal(state.open) else {
                state.sealPending = true
                return false
            }
            state.sealPending = false
            _ = state.startNextBatch()
            return true
        }

        func sealsOnTimer(isDue: Bool, _ state: State) -> Bool {
            isDue || state.sealPending
        }

        func take(_ state: inout State) -> [EventBatch] { [] }
    }
}
