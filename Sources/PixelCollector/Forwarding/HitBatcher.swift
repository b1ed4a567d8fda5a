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
    enum DropReason: Equatable {
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
        var sealed: [EventBatch] = []
        /// Batches the forwarder took and has not sent yet.
        var held = 0
        var nextSequence: UInt64
        /// With a spool: the open batch's seal record could not be written yet.
        var sealPending = false

        var queued: Int { sealed.count + held }

        mutating func seal() {
            let next = nextSequence
            nextSequence &+= 1
            var batch = EventBatch(collector: open.collector, sequence: next)
            swap(&batch, &open)
            sealed.append(batch)
            deadline = nil
        }

        /// Seals the open batch into the spool; returns whether the seal record is written.
        mutating func seal(into spool: Spool) -> Bool {
            guard spool.appendSeal(open) else {
                sealPending = true
                return false
            }
            sealPending = false
            open = EventBatch(collector: open.collector, sequence: nextSequence)
            nextSequence &+= 1
            deadline = nil
            return true
        }
    }

    let batchSize: Int
    let batchDelay: Duration
    let queueLimit: Int
    /// Where hits and seals are written, when the collector spools.
    let spool: Spool?
    private let state: Mutex<State>
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
        state = Mutex(State(
            open: EventBatch(collector: collector, sequence: firstSequence), nextSequence: firstSequence &+ 1))
    }

    /// Adds a hit to the open batch, sealing it when full.
    func record(_ hit: HitEvent) -> Outcome {
        let (outcome, signal): (Outcome, Bool) = state.withLock { state in
            if let spool { return record(hit, in: &state, spool: spool) }
            guard state.queued < queueLimit else { return (.dropped(.queueFull), false) }
            if !state.open.canAppend(hit) {
                state.seal()
                guard state.queued < queueLimit else { return (.dropped(.queueFull), true) }
            }
            let wasEmpty = state.open.isEmpty
            state.open.append(hit)
            if state.open.count >= batchSize {
                state.seal()
                return (.accepted, true)
            }
            if wasEmpty {
                state.deadline = ContinuousClock.now.advanced(by: batchDelay)
                return (.accepted, true)  // the forwarder must arm its timer
            }
            return (.accepted, false)
        }
        if signal { wake.signal() }
        return outcome
    }

    /// ``record(_:)`` with a spool: the hit record is written before the hit joins the batch.
    private func record(_ hit: HitEvent, in state: inout State, spool: Spool) -> (Outcome, Bool) {
        if state.sealPending, !state.seal(into: spool) { return (.dropped(.spoolError), false) }
        var signal = false
        if !state.open.canAppend(hit) {
            guard state.seal(into: spool) else { return (.dropped(.spoolError), false) }
            signal = true
        }
        switch spool.appendHit(hit, sequence: state.open.sequence) {
        case .written: break
        case .full: return (.dropped(.spoolFull), signal)
        case .failed: return (.dropped(.spoolError), signal)
        }
        let wasEmpty = state.open.isEmpty
        state.open.append(hit)
        if state.open.count >= batchSize {
            _ = state.seal(into: spool)  // a failed seal is tried again by the next call
            return (.accepted, true)
        }
        if wasEmpty {
            state.deadline = ContinuousClock.now.advanced(by: batchDelay)
            return (.accepted, true)
        }
        return (.accepted, signal)
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
            if let spool {
                if let deadline = state.deadline, !state.open.isEmpty, flush || deadline <= now || state.sealPending {
                    _ = state.seal(into: spool)
                }
                return ([], state.open.isEmpty ? nil : state.deadline)
            }
            if let deadline = state.deadline, !state.open.isEmpty,
               flush || (deadline <= now && state.queued < queueLimit) {
                state.seal()
            }
            var batches: [EventBatch] = []
            swap(&batches, &state.sealed)
            state.held += batches.count
            return (batches, state.open.isEmpty ? nil : state.deadline)
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
