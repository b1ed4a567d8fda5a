import PixelCore
import PixelSupport
public import ZeroMQ

/// Follows an aggregator's live feed for a topic prefix and always holds a consistent,
/// complete state: the ZeroMQ guide's Clone pattern.
///
/// ```swift
/// let client = FeedClient(feed: "tcp://127.0.0.1:5571", snapshot: "tcp://127.0.0.1:5572", context: context)
/// for try await state in client.updates(prefix: "stats/spring-sale/") {
///     print(state.event, state.stats["stats/spring-sale/*/"]?.windows["1m"]?.views ?? 0)
/// }
/// ```
///
/// The recipe, on a dedicated thread per ``updates(prefix:)`` stream:
/// 1. Subscribe (SUB) to the prefix and `heartbeat/`, and buffer everything. The first
///    heartbeat proves the subscription reached the publisher.
/// 2. Request a snapshot of the prefix (DEALER → the aggregator's ROUTER). Its end marker
///    carries `S`, the feed's `seq` when the snapshot began.
/// 3. Apply the snapshot, then the buffered updates with `seq` above `S` and above the
///    topic's own `seq`, in order; yield ``FeedEvent/snapshot``. Then apply live updates
///    the same way.
///
/// Resyncs (a new snapshot, yielding ``FeedEvent/resynced(_:)``) happen when:
/// - a heartbeat carries a different `startedAt` (the aggregator restarted);
/// - nothing, not even a heartbeat, arrived for `silenceTimeout` (the aggregator is dead
///   or unreachable; the resync completes once it answers again);
/// - with the empty prefix only, `seq` skips a number (messages were dropped).
///
/// Not detected: messages dropped at the publisher's high-water mark for a non-empty
/// prefix — such a subscriber legitimately sees gaps in `seq` (other topics take numbers),
/// so a loss is indistinguishable; the next update of the topic repairs it. Subscribe to
/// everything when losses must be detected.
public final class FeedClient: Sendable {
    /// The aggregator's PUB endpoint.
    public let feedEndpoint: String
    /// The aggregator's snapshot ROUTER endpoint.
    public let snapshotEndpoint: String
    let context: Context
    private let silenceTimeout: Duration
    private let snapshotTimeout: Duration
    let curve: CurveClientCredentials?

    /// Creates a client; nothing connects until ``updates(prefix:)`` is iterated.
    ///
    /// - Parameters:
    ///   - feed: The live feed (PUB) endpoint.
    ///   - snapshot: The snapshot (ROUTER) endpoint.
    ///   - context: The process's ZeroMQ context.
    ///   - silenceTimeout: No message for this long means the aggregator is gone (3 s:
    ///     heartbeats come at least once a second).
    ///   - snapshotTimeout: A snapshot request unanswered for this long is sent again on a
    ///     new socket.
    ///   - curve: CURVE credentials, for an aggregator whose feed and snapshot are encrypted.
    public init(
        feed: String, snapshot: String, context: Context,
        silenceTimeout: Duration = .seconds(3), snapshotTimeout: Duration = .seconds(5), curve: CurveClientCredentials? = nil
    ) {
        feedEndpoint = feed
        snapshotEndpoint = snapshot
        self.context = context
        self.silenceTimeout = silenceTimeout
        self.snapshotTimeout = snapshotTimeout
        self.curve = curve
    }

    /// Consistent states of every topic under `prefix` (empty: everything), the first one
    /// complete (``FeedEvent/snapshot``), then one per group of live updates, heartbeat and
    /// resync. Ending the iteration (or cancelling its task) stops the socket thread.
    ///
    /// A consumer that falls behind skips intermediate states (the newest 256 are kept);
    /// each state is complete, so none is needed to understand the next, and its
    /// ``FeedState/serial`` tells when some were skipped (so its ``FeedState/event`` does
    /// not say all that changed).
    public func updates(prefix: String = "") -> AsyncThrowingStream<FeedState, any Error> {
        let (stream, continuation) = AsyncThrowingStream<FeedState, any Error>.makeStream(bufferingPolicy: .bufferingNewest(256))
        let thread = LoopThread<Void, Void>(name: "pp-feed-client")
        continuation.onTermination = { _ in thread.stop() }
        let session = FeedSession(
            feed: feedEndpoint, snapshot: snapshotEndpoint, prefix: prefix, context: context,
            silenceTimeout: silenceTimeout, snapshotTimeout: snapshotTimeout, curve: curve)
        thread.start {
            var serial: UInt64 = 0
            do {
                try session.run(isStopped: { thread.isStopping }, yield: { state in
                    var numbered = state
                    serial += 1
                    numbered.serial = serial
                    continuation.yield(numbered)
                })
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        return stream
    }
}
