public import PixelCore
import PixelSupport
public import ZeroMQ

/// Asks an aggregator's snapshot endpoint for the recent history of a prefix's keys: one
/// ``PixelCore/FeedSeries`` per key (a campaign rollup or a pixel), one window's counts
/// step by step (the last hour by the minute by default).
///
/// ```swift
/// let request = SeriesRequest(snapshot: "tcp://127.0.0.1:5572", context: context)
/// for series in try await request.series(prefix: "stats/spring-sale/") {
///     print(series.campaign, series.pixel ?? "*", series.views)
/// }
/// ```
///
/// Each call opens its own DEALER socket on a thread of its own, sends `[series, prefix]`
/// (and the window, when named), reads the reply up to the `snapshot/end/` marker and
/// closes the socket. ``FeedClient/series(prefix:window:timeout:)`` does the same with a
/// client's endpoint and credentials.
public struct SeriesRequest: Sendable {
    /// The aggregator's snapshot ROUTER endpoint.
    public let endpoint: String
    private let context: Context
    private let curve: CurveClientCredentials?

    /// Creates a request; nothing connects until ``series(prefix:window:timeout:)``.
    ///
    /// - Parameters:
    ///   - snapshot: The snapshot (ROUTER) endpoint.
    ///   - context: The process's ZeroMQ context.
    ///   - curve: CURVE credentials, for an aggregator whose snapshot socket is encrypted.
    public init(snapshot: String, context: Context, curve: CurveClientCredentials? = nil) {
        endpoint = snapshot
        self.context = context
        self.curve = curve
    }

    /// The series of every key whose stats topic starts with `prefix`, in the aggregator's
    /// key order.
    ///
    /// - Parameters:
    ///   - prefix: A stats topic prefix: `stats/spring-sale/` (a campaign's rollup and
    ///     pixels), `stats/spring-sale/*/` (its rollup), `""` (everything).
    ///   - window: A window's name (`1h`, `15m`…); `nil` for the longest the aggregator keeps.
    ///   - timeout: How long to wait for the whole reply.
    /// - Throws: ``FeedClientError/seriesRefused(_:)`` with the aggregator's reason (e.g.
    ///   an unknown window, naming those it keeps), ``FeedClientError/seriesTimedOut(_:)``,
    ///   ``FeedClientError/prefixTooLong``, or a ``ZeroMQ/ZMQError``.
    public func series(prefix: String, window: String? = nil, timeout: Duration = .seconds(5)) async throws -> [FeedSeries] {
        try await bodies(prefix: prefix, window: window, timeout: timeout).compactMap { FeedSeries(json: $0) }
    }

    /// The series bodies of every key whose stats topic starts with `prefix`, as the
    /// aggregator sent them: for passing them on. See ``series(prefix:window:timeout:)``.
    public func bodies(prefix: String, window: String? = nil, timeout: Duration = .seconds(5)) async throws -> [[UInt8]] {
        guard prefix.utf8.count <= 256 else { throw FeedClientError.prefixTooLong }
        let thread = LoopThread<Void, [[UInt8]]>(name: "pp-series")
        let (endpoint, context, curve) = (endpoint, context, curve)
        thread.start {
            let dealer = try context.socket(.dealer)
            defer { dealer.close() }
            try dealer.set(.linger, to: .zero)
            try dealer.set(.receiveHighWaterMark, to: 0)
            if let curve { try dealer.makeCurveClient(curve) }
            try dealer.connect(endpoint)
            try dealer.send(["series", prefix] + (window.map { [$0] } ?? []))
            let poller = Poller()
            poller.register(dealer)
            let deadline = ContinuousClock.now + timeout
            var bodies: [[UInt8]] = []
            while !thread.isStopping {
                let left = deadline - .now
                guard left > .zero else { throw FeedClientError.seriesTimedOut(timeout) }
                guard try poller.poll(timeout: min(left, .milliseconds(50))) > 0 else { continue }
                while let frames = try dealer.tryReceiveMultipart() {
                    guard frames.count == 2 else { continue }
                    guard frames[0] == Array(FeedTopic.snapshotEnd.utf8) else {
                        bodies.append(frames[1])
                        continue
                    }
                    guard let end = SnapshotEnd(json: frames[1]) else { continue }
                    if let error = end.error { throw FeedClientError.seriesRefused(error) }
                    return bodies
                }
            }
            throw CancellationError()
        }
        return try await withTaskCancellationHandler {
            try await thread.outcome
        } onCancel: {
            thread.stop()
        }
    }
}

extension FeedClient {
    /// The series of every key whose stats topic starts with `prefix`, from this client's
    /// snapshot endpoint with its credentials: see ``SeriesRequest/series(prefix:window:timeout:)``.
    public func series(prefix: String, window: String? = nil, timeout: Duration = .seconds(5)) async throws -> [FeedSeries] {
        try await SeriesRequest(snapshot: snapshotEndpoint, context: context, curve: curve)
            .series(prefix: prefix, window: window, timeout: timeout)
    }

    /// The series bodies of `prefix` as the aggregator sent them, from this client's
    /// snapshot endpoint with its credentials: see ``SeriesRequest/bodies(prefix:window:timeout:)``.
    public func seriesBodies(prefix: String, window: String? = nil, timeout: Duration = .seconds(5)) async throws -> [[UInt8]] {
        try await SeriesRequest(snapshot: snapshotEndpoint, context: context, curve: curve)
            .bodies(prefix: prefix, window: window, timeout: timeout)
    }
}
