import PixelPulseClient
import Synchronization
import ZeroMQ

/// A subscriber command's link to the aggregator (`watch`, `alerts`, `top`): the feed
/// client, and a bounded wait for the first snapshot of each stream that, when it runs
/// out, fails with the likely cause (``SubscriberFailure/nothingArrived(feed:snapshot:timeout:finding:usesCurve:)``).
struct Subscriber: Sendable {
    let client: FeedClient
    let feed: String
    let snapshot: String
    /// The longest wait for the first snapshots.
    let timeout: Duration
    private let curve: CurveClientCredentials?
    private let context: Context

    init(feed: String, snapshot: String, curve: CurveClientCredentials?, timeout: Duration) throws {
        context = try Context()
        client = FeedClient(feed: feed, snapshot: snapshot, context: context, curve: curve)
        self.feed = feed
        self.snapshot = snapshot
        self.curve = curve
        self.timeout = timeout
    }

    /// Which streams have had their first state; stops the probe once all have.
    final class Arrivals: Sendable {
        private let arrived = Mutex<Set<String>>([])
        private let expected: Int
        fileprivate let probe: FeedProbe

        fileprivate init(expected: Int, probe: FeedProbe) {
            self.expected = expected
            self.probe = probe
        }

        /// Records the first state of the stream of `prefix`; later calls change nothing.
        func arrived(_ prefix: String) {
            let complete = arrived.withLock { set in
                set.insert(prefix)
                return set.count >= expected
            }
            if complete { probe.stop() }
        }

        var complete: Bool { arrived.withLock { $0.count >= expected } }
    }

    /// The first complete state of each of `prefixes`, in order, within the timeout.
    func firstStates(_ prefixes: [String]) async throws -> [FeedState] {
        try await withinTimeout(streams: prefixes.count) { [client] arrivals in
            try await withThrowingTaskGroup(of: (Int, FeedState).self) { group in
                for (index, prefix) in prefixes.enumerated() {
                    group.addTask {
                        for try await state in client.updates(prefix: prefix) {
                            arrivals.arrived(prefix)
                            return (index, state)
                        }
                        throw CancellationError()
                    }
                }
                var states = [FeedState?](repeating: nil, count: prefixes.count)
                for try await (index, state) in group { states[index] = state }
                return states.compactMap { $0 }
            }
        }
    }

    /// Runs `body`, which reports the first state of each of its `streams` streams to the
    /// ``Arrivals`` it is given, and fails it with the likely cause unless all arrived
    /// within the timeout. A probe of the feed runs meanwhile to tell the causes apart.
    func withinTimeout<T: Sendable>(streams: Int, _ body: @escaping @Sendable (Arrivals) async throws -> T) async throws -> T {
        let probe = FeedProbe.start(feed: feed, curve: curve, context: context)
        defer { probe.stop() }
        let arrivals = Arrivals(expected: streams, probe: probe)
        return try await withThrowingTaskGroup(of: T?.self) { [self] group in
            group.addTask { try await body(arrivals) }
            group.addTask {
                try await Task.sleep(for: timeout)
                guard arrivals.complete else {
                    throw SubscriberFailure.nothingArrived(
                        feed: feed, snapshot: snapshot, timeout: timeout, finding: probe.finding, usesCurve: curve != nil)
                }
                return nil
            }
            while let result = try await group.next() {
                if let result {
                    group.cancelAll()
                    return result
                }
            }
            throw CancellationError()  // the body returned no value: it was cancelled
        }
    }
}
