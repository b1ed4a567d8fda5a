import NIOCore
import PixelCore
import Synchronization

/// Requests waiting for the aggregator's verdict on the events of their batch, by batch
/// sequence: the conversion endpoints register here, the forwarder resolves on each ack.
///
/// Each waiter is completed exactly once, by whichever comes first: the ack
/// (``resolve(_:)``) or its request giving up (``cancel(_:)``).
final class FateWaiters: Sendable {
    /// The aggregator's answer: each event's fate, or `nil` when the ack carried none (a
    /// batch counted before, whose fates were not kept, or one it rejected).
    typealias Answer = [EventFate]?

    private let waiting = Mutex<[UInt64: EventLoopPromise<Answer>]>([:])

    /// Waits for the ack of batch `sequence`.
    func register(_ sequence: UInt64, _ promise: EventLoopPromise<Answer>) {
        waiting.withLock { $0[sequence] = promise }
    }

    /// Completes the waiter of the ack's batch, if there is one.
    func resolve(_ ack: IngestAck) {
        guard let promise = waiting.withLock({ $0.isEmpty ? nil : $0.removeValue(forKey: ack.sequence) }) else { return }
        promise.succeed(ack.status == .accepted ? ack.fates : nil)
    }

    /// Forgets the waiter of batch `sequence`; `false` when the ack came first.
    func cancel(_ sequence: UInt64) -> Bool {
        waiting.withLock { $0.removeValue(forKey: sequence) } != nil
    }
}
