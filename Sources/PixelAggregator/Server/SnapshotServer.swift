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
/// `[topic, body]` messages — the alerts firing now, then the stats of each matching key — then
/// `[snapshot/end/, SnapshotEnd]`. Requests are served one at a time on the socket's
/// thread, read from the ``Aggregator`` in chunks of ``keysPerChunk`` keys (one actor call
/// each), so a snapshot of 100 000 keys never holds up ingestion for more than one chunk.
/// A malformed request (more frames, an over-long prefix, invalid UTF-8) is answered with
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
        let request = Self.parse(frames)
        guard case .success(let prefix) = request else {
            guard case .failure(let refusal) = request else { return }
            logger.warning("Refused a snapshot request", metadata: ["snapshot.error": "\(refusal.reason)"])
            let body = SnapshotEnd(seq: 0, time: Aggregator.wallClock(), startedAt: aggregator.startedAt,
                                   prefix: refusal.prefix, count: 0, error: refusal.reason).encoded()
            try router.send([identity, Array(FeedTopic.snapshotEnd.utf8), body])
            return
        }
        var start: Int? = 0
        var first: SnapshotChunk?
        var count = 0
        while let from = start {
            let chunk = blockingCall { [aggregator] in
                await aggregator.snapshot(prefix: prefix, from: from, limit: Self.keysPerChunk)
            }
            first = first ?? chunk
            for message in chunk.alerts + chunk.updates.map(\.message) {
                try router.send([identity, Array(message.topic.utf8), message.body])
            }
            count += chunk.alerts.count + chunk.updates.count
            start = chunk.next
        }
        let body = SnapshotEnd(seq: first!.seq, time: first!.time, startedAt: aggregator.startedAt,
                               prefix: prefix, count: count).encoded()
        try router.send([identity, Array(FeedTopic.snapshotEnd.utf8), body])
    }

    private struct Refusal: Error {
        var reason: String
        var prefix: String?
    }

    /// The prefix of a well-formed request `[identity, prefix]`.
    private static func parse(_ frames: [[UInt8]]) -> Result<String, Refusal> {
        guard frames.count == 2 else { return .failure(Refusal(reason: "expected one frame: the topic prefix")) }
        let bytes = frames[1]
        guard let prefix = String(validating: bytes, as: UTF8.self) else {
            return .failure(Refusal(reason: "prefix is not valid UTF-8"))
        }
        guard bytes.count <= maxPrefixBytes else {
            return .failure(Refusal(reason: "prefix longer than \(maxPrefixBytes) bytes"))
        }
        return .success(prefix)
    }
}
