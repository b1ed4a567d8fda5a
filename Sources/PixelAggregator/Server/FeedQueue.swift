import Dispatch
import PixelCore
import PixelSupport
import Synchronization

/// Hands feed items from the aggregator to the publisher thread.
///
/// The producer appends and signals; the thread waits with a timeout (so it can notice a
/// stop) and takes everything queued at once.
final class FeedQueue: Sendable {
    private let messages = Mutex<[FeedItem]>([])
    private let signal = DispatchSemaphore(value: 0)
    /// Messages the publisher thread has handed to the PUB socket so far (the heartbeat's
    /// `published`): libzmq does not tell which subscribers it then dropped them for.
    private let sent = Atomic<UInt64>(0)

    /// Stats messages left unencoded because no subscriber wanted them.
    private let skipped = Atomic<UInt64>(0)
    /// The most messages the publisher thread found waiting at once, since last read.
    private let longest = Atomic<Int>(0)

    /// How many messages the publisher thread has handed to the PUB socket so far.
    var published: UInt64 { sent.load(ordering: .relaxed) }

    /// How many stats messages no subscriber wanted so far.
    var unsubscribed: UInt64 { skipped.load(ordering: .relaxed) }

    /// The most messages found waiting at once since the last call: more than a tick's
    /// worth means the publisher thread falls behind.
    func takeBacklog() -> Int { longest.exchange(0, ordering: .relaxed) }

    /// Called by the publisher thread after each message it sends.
    func countPublished() { sent.add(1, ordering: .relaxed) }

    /// Called by the publisher thread for each stats message no subscriber wants.
    func countUnsubscribed() { skipped.add(1, ordering: .relaxed) }

    func append(_ batch: [FeedItem]) {
        guard !batch.isEmpty else { return }
        messages.withLock { $0.append(contentsOf: batch) }
        signal.signal()
    }

    /// Waits up to `timeout` (at most 50 ms, so a stop is noticed) for messages and takes them all.
    func take(waiting timeout: Duration) -> [FeedItem] {
        let wait = min(max(timeout, .zero), .milliseconds(50))
        _ = signal.wait(timeout: .now() + .nanoseconds(Int(wait.nanoseconds)))
        let taken = messages.withLock { queued in
            defer { queued.removeAll(keepingCapacity: true) }
            return queued
        }
        longest.max(taken.count, ordering: .relaxed)
        return taken
    }
}
