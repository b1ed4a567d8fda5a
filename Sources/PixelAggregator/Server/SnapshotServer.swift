import Logging
import PixelCore
import PixelSupport
import ServiceLifecycle
import ZeroMQ

/// Answers snapshot requests on a ZeroMQ ROUTER socket: the Clone pattern's state
/// request, so a late or resyncing subscriber starts from the full current state.
///
/// A request is one frame from a DEALER: the topic prefix, UTF-8, at most
/// ``maxPrefixBytes`` (empty selects everything). The reply is a stream of
/// `[topic, body]` messages — the alerts firing now, the breakdowns (`segments/…`) of each
/// matching campaign, then the stats of each matching key — then
/// `[snapshot/end/, SnapshotEnd]`. Requests are served one at a time on the socket's
/// thread, read from the ``Aggregator`` in chunks of ``keysPerChunk`` keys (one actor call
/// each), so a snapshot of 100 000 keys never holds up ingestion for more than one chunk.
/// A series request is `[series, prefix]` or `[series, prefix, window]`: it is answered with
/// one `[topic, FeedSeries]` message per matching key (the longest window unless one is
/// named), read in the same chunks, then the same end marker. A malformed request (other
/// frame counts, an over-long prefix, invalid UTF-8, an unknown window) is answered with
/// an end marker carrying `error` and `count` 0.
final class SnapshotServer: SocketServer {
    /// The longest prefix accepted, in bytes.
    static let maxPrefixBytes = 256
    /// Keys read from the aggregator per actor call.
    static let keysPerChunk = 2000

    /// Where it listens and whom it admits.
    struct Configuration: Sendable {
        var endpoint: String
        /// CURVE with allowlists; `nil` for plain transport.
        var security: TransportSecurity?
    }

    private let configuration: Configuration
    private let context: Context
    private let aggregator: Aggregator
    private let logger: Logger
    let thread = SocketThread(name: "snapshot")

    /// Creates the server; ``run()`` binds and serves.
    init(configuration: Configuration, context: Context, aggregator: Aggregator, logger: Logger) {
        self.configuration = configuration
        self.context = context
        self.aggregator = aggregator
        self.logger = logger
    }

    func serve() throws {
        let router = try thread.bind(
            .router, context: context, endpoints: [configuration.endpoint], security: configuration.security, logger: logger
        ) {
            socket throws(ZMQError) in
            // A snapshot is queued whole: dropping part of it would leave the client
            // waiting for an end marker. Its size is bounded by the number of keys.
            try socket.set(.sendHighWaterMark, to: 0)
            try socket.set(.linger, to: .milliseconds(100))
        }
        defer { router.close() }
        let poller = Poller()
        poller.register(router)
        while !thread.isStopping {
            do {
                guard try poller.poll(timeout: .milliseconds(50)) > 0 else { continue }
                while !thread.isStopping, let frames = try router.tryReceiveMultipart() {
                    try answer(frames, on: router)
                }
            } catch {
                guard error == .contextTerminated else { throw error }
                break
            }
        }
        logger.info("Snapshot stopped")
    }

    private func answer(_ frames: [[UInt8]], on router: Socket) throws(ZMQError) {
        let identity = frames[0]
        switch parse(frames) {
        case .success(.snapshot(let prefix)):
            try answerSnapshot(prefix: prefix, to: identity, on: router)
        case .success(.series(let prefix, let window)):
            try answerSeries(prefix: prefix, window: window, to: identity, on: router)
        case .failure(let refusal):
            logger.warning("Refused a snapshot request", metadata: ["snapshot.error": "\(refusal.reason)"])
            let body = SnapshotEnd(seq: 0, time: Aggregator.wallClock(), startedAt: aggregator.startedAt,
                                   prefix: refusal.prefix, count: 0, error: refusal.reason).encoded()
            try router.send([identity, Array(FeedTopic.snapshotEnd.utf8), body])
        }
    }

    private func answerSnapshot(prefix: String, to identity: [UInt8], on router: Socket) throws(ZMQError) {
        var start: Int? = 0
        var first: SnapshotChunk?
        var count = 0
        while let from = start {
            let chunk = blockingCall { [aggregator] in
                await aggregator.snapshot(prefix: prefix, from: from, limit: Self.keysPerChunk)
            }
            first = first ?? chunk
            let layout = aggregator.layout
            let messages = chunk.alerts + chunk.segments.map { $0.message(windows: layout.windows) }
                + chunk.updates.map { $0.message(layout: layout) }
            for message in messages {
                try router.send([identity, Array(message.topic.utf8), message.body])
            }
            count += messages.count
            start = chunk.next
        }
        let body = SnapshotEnd(seq: first!.seq, time: first!.time, startedAt: aggregator.startedAt,
                               prefix: prefix, count: count).encoded()
        try router.send([identity, Array(FeedTopic.snapshotEnd.utf8), body])
    }

    /// The series of `window` for every key matching `prefix`, in chunks like a snapshot.
    private func answerSeries(prefix: String, window: Int, to identity: [UInt8], on router: Socket) throws(ZMQError) {
        var start: Int? = 0
        var first: SeriesChunk?
        var count = 0
        while let from = start {
            let chunk = blockingCall { [aggregator] in
                await aggregator.series(prefix: prefix, window: window, from: from, limit: Self.keysPerChunk)
            }
            first = first ?? chunk
            for message in chunk.series.map(\.message) {
                try router.send([identity, Array(message.topic.utf8), message.body])
            }
            count += chunk.series.count
            start = chunk.next
        }
        let body = SnapshotEnd(seq: first!.seq, time: first!.time, startedAt: aggregator.startedAt,
                               prefix: prefix, count: count).encoded()
        try router.send([identity, Array(FeedTopic.snapshotEnd.utf8), body])
    }

    /// What a well-formed request asks for.
    private enum Request {
        /// `[prefix]`: the stats (and alerts) of the matching keys.
        case snapshot(prefix: String)
        /// `[series, prefix, window?]`: one window's series (an index) for the matching keys.
        case series(prefix: String, window: Int)
    }

    private struct Refusal: Error {
        var reason: String
        var prefix: String?
    }

    /// The first frame of a series request.
    static let seriesVerb: [UInt8] = Array("series".utf8)

    /// The request in `[identity, frames…]`: `[prefix]` or `[series, prefix, window?]`.
    private func parse(_ frames: [[UInt8]]) -> Result<Request, Refusal> {
        switch frames.count {
        case 2:
            return Self.prefix(frames[1]).map { .snapshot(prefix: $0) }
        case 3...4 where frames[1] == Self.seriesVerb:
            let prefix: String
            switch Self.prefix(frames[2]) {
            case .success(let valid): prefix = valid
            case .failure(let refusal): return .failure(refusal)
            }
            let windows = aggregator.windows
            guard frames.count == 4 else { return .success(.series(prefix: prefix, window: windows.count - 1)) }
            let name = String(decoding: frames[3], as: UTF8.self)
            guard let window = windows.firstIndex(where: { $0.name == name }) else {
                let kept = windows.map(\.name).joined(separator: ", ")
                return .failure(Refusal(reason: "unknown window \"\(name)\"; windows kept: \(kept)", prefix: prefix))
            }
            return .success(.series(prefix: prefix, window: window))
        default:
            return .failure(Refusal(reason: "expected one frame (the topic prefix), or series, a prefix and optionally a window"))
        }
    }

    /// A request's prefix frame, when valid.
    private static func prefix(_ bytes: [UInt8]) -> Result<String, Refusal> {
        guard let prefix = String(validating: bytes, as: UTF8.self) else {
            return .failure(Refusal(reason: "prefix is not valid UTF-8"))
        }
        guard bytes.count <= maxPrefixBytes else {
            return .failure(Refusal(reason: "prefix longer than \(maxPrefixBytes) bytes"))
        }
        return .success(prefix)
    }
}
