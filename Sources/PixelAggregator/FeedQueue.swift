import Dispatch
import PixelCore
import Synchronization

/// Hands feed messages from async code to the publisher thread.
///
/// The producer appends and signals; the thread waits with a timeout (so it can notice a
/// stop) and takes everything queued at once.
final class FeedQueue: Sendable {
    private let messages = Mutex<[FeedMessage]>([])
    private let signal = DispatchSemaphore(value: 0)

    func append(_ batch: [FeedMessage]) {
        guard !batch.isEmpty else { return }
        messages.withLock { $0.append(contentsOf: batch) }
        signal.signal()
    }

    /// Waits up to `timeout` for messages and takes them all.
    func take(waiting timeout: Duration) -> [FeedMessage] {
        let nanoseconds = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        _ = signal.wait(timeout: .now() + .nanoseconds(Int(nanoseconds)))
        return messages.withLock { queued in
            defer { queued.removeAll(keepingCapacity: true) }
            return queued
        }
    }
}
