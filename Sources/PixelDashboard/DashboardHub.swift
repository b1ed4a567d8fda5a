import PixelCore
public import PixelPulseClient
import Synchronization

/// The dashboard's state, its ring of recent messages and its SSE subscribers, in one lock:
/// a state change and its broadcast happen together, so a stream that starts from a state
/// misses nothing after it and sees nothing twice.
public final class DashboardHub: Sendable {
    private struct Subscriber {
        let selection: DashboardSelection
        let continuation: AsyncStream<StreamItem>.Continuation
        let backlog: StreamBacklog
    }

    private struct Inner {
        var state = DashboardState()
        var ring: FeedRing
        var subscribers: [Int: Subscriber] = [:]
        var nextID = 0
        var lastNews: Int64 = 0
        var closed = false
        var slowClientsClosed = 0
        var lastSerial: UInt64 = 0
        var statesSkipped = 0
    }

    private let inner: Mutex<Inner>
    /// Bytes of events a stream may have queued before it counts as fallen behind.
    let queueLimit: Int

    /// - Parameters:
    ///   - ringCapacity: Messages kept for resuming streams.
    ///   - queueLimit: Bytes of events one stream may have queued; a stream that falls
    ///     further behind is closed (its client reconnects and resumes).
    public init(ringCapacity: Int = 4096, queueLimit: Int = 8 << 20) {
        inner = Mutex(Inner(ring: FeedRing(capacity: ringCapacity)))
        self.queueLimit = max(1, queueLimit)
    }

    /// The current state.
    public var state: DashboardState { inner.withLock { $0.state } }

    /// Streams closed because their client fell behind.
    public var slowClientsClosed: Int { inner.withLock { $0.slowClientsClosed } }

    /// Times the hub fell behind the feed client and sent every stream a fresh state.
    public var statesSkipped: Int { inner.withLock { $0.statesSkipped } }

    /// Streams open now.
    public var clients: Int { inner.withLock { $0.subscribers.count } }

    /// Applies a state yielded by the feed client and tells every stream what changed.
    /// - Parameter now: The wall clock, ms since the epoch.
    public func apply(_ feed: FeedState, now: Int64) {
        inner.withLock { inner in
            // States skipped while the hub fell behind changed topics this one does not name.
            let skipped = feed.serial != inner.lastSerial + 1 && inner.state.isLoaded && feed.event != .silent
            inner.lastSerial = feed.serial
            if skipped { inner.statesSkipped += 1 }
            switch feed.event {
            case _ where skipped, .snapshot, .resynced:
                inner.state = DashboardState(feed)
                inner.ring.reset(at: feed.seq)
                inner.lastNews = now
                broadcast(.state(inner.state), in: &inner)
                return
            case .silent:
                guard inner.state.staleSince == nil else { return }
                inner.state.staleSince = inner.lastNews
                broadcast(.stale(since: inner.lastNews), in: &inner)
                return
            case .update, .alerts, .heartbeat:
                inner.lastNews = now
            }
            // The feed client's state holds every body parsed already: take them from there.
            var messages: [DashboardMessage] = []
            if case .update(let topics) = feed.event {
                for topic in topics {
                    guard let stats = feed.stats[topic] else { continue }
                    inner.state.stats[topic] = stats
                    messages.append(DashboardMessage(kind: .stats, topic: topic, seq: stats.seq, body: stats.body))
                }
            }
            if case .alerts(let alerts) = feed.event {
                for alert in alerts {
                    inner.state.alerts[alert.fingerprint] = alert.isFiring ? alert : nil
                    messages.append(DashboardMessage(kind: .alert, topic: DashboardSelection.topic(of: alert), seq: alert.seq, body: alert.body))
                }
            }
            // The feed client yields a heartbeat's news only when nothing else changed: compare.
            if let beat = feed.heartbeat, beat.seq > inner.state.heartbeat?.seq ?? 0 {
                inner.state.heartbeat = beat
                messages.append(DashboardMessage(kind: .heartbeat, topic: FeedTopic.heartbeat, seq: beat.seq, body: beat.encoded()))
            }
            guard !messages.isEmpty else { return }
            messages.sort { $0.seq < $1.seq }
            inner.state.seq = max(inner.state.seq, messages.last!.seq)
            for message in messages { inner.ring.append(message) }
            broadcast(messages, in: &inner)
        }
    }

    /// Sends a keep-alive comment to every stream.
    public func keepAlive() {
        inner.withLock { broadcast(.keepAlive, in: &$0) }
    }

    /// Ends every stream, and every stream opened from now on at once: for a graceful shutdown.
    public func close() {
        let continuations = inner.withLock { inner in
            inner.closed = true
            defer { inner.subscribers.removeAll() }
            return inner.subscribers.values.map(\.continuation)
        }
        for continuation in continuations { continuation.finish() }
    }

    /// Opens a stream of `selection`: the messages after `lastEventID` when the ring still
    /// holds them all, else a fresh state first; then everything live. The stream's writer
    /// reports each item's bytes to the backlog once written.
    func subscribe(_ selection: DashboardSelection, lastEventID: UInt64?) -> (AsyncStream<StreamItem>, StreamBacklog) {
        let (stream, continuation) = AsyncStream<StreamItem>.makeStream()
        let backlog = StreamBacklog()
        let id: Int? = inner.withLock { inner in
            guard !inner.closed else { return nil }
            if let lastEventID, inner.state.isLoaded, inner.state.staleSince == nil,
               let replay = inner.ring.messages(after: lastEventID, latest: inner.state.seq) {
                let selected = replay.filter(selection.matches)
                if !selected.isEmpty {
                    backlog.add(selected.reduce(0) { $0 + $1.event.count })
                    continuation.yield(.messages(selected))
                }
            } else {
                continuation.yield(.state(inner.state))
                if let since = inner.state.staleSince { continuation.yield(.stale(since: since)) }
            }
            let id = inner.nextID
            inner.nextID += 1
            inner.subscribers[id] = Subscriber(selection: selection, continuation: continuation, backlog: backlog)
            return id
        }
        guard let id else {
            continuation.finish()
            return (stream, backlog)
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.inner.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return (stream, backlog)
    }

    private func broadcast(_ item: StreamItem, in inner: inout Inner) {
        for subscriber in inner.subscribers.values { subscriber.continuation.yield(item) }
    }

    /// Gives every stream the messages it selects, closing those that have fallen behind.
    private func broadcast(_ messages: [DashboardMessage], in inner: inout Inner) {
        var behind: [Int] = []
        for (id, subscriber) in inner.subscribers {
            let selected = messages.filter(subscriber.selection.matches)
            guard !selected.isEmpty else { continue }
            let bytes = selected.reduce(0) { $0 + $1.event.count }
            guard subscriber.backlog.current + bytes <= queueLimit else {
                behind.append(id)
                continue
            }
            subscriber.backlog.add(bytes)
            subscriber.continuation.yield(.messages(selected))
        }
        for id in behind {
            // Finishing calls onTermination, which takes the lock: remove first, finish outside.
            if let subscriber = inner.subscribers.removeValue(forKey: id) {
                inner.slowClientsClosed += 1
                let continuation = subscriber.continuation
                continuation.yield(.cut)
                Task { continuation.finish() }
            }
        }
    }
}
