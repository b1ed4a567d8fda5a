import Logging
import PixelCore
import PixelSupport
import ServiceLifecycle
import Synchronization
import ZeroMQ

/// Receives batches from collectors on a ZeroMQ ROUTER socket and acknowledges each one.
///
/// The socket lives on its own thread. It drains what has arrived (up to
/// ``maxBatchesPerHop`` frames), decodes it, and hands the lot to the ``Aggregator`` in one
/// actor call, waiting for it: while the actor counts, libzmq queues further batches and
/// then pushes back on collectors, so a burst never grows memory without bound. Each batch
/// is answered with an ``PixelCore/IngestAck``: `accepted` (with its events' fates, when it
/// asks for them), or `duplicate` for a batch its collector sent before (not counted
/// again); a frame that does not decode is answered `rejected`, counted by reason, and
/// dropped.
final class IngestServer: SocketServer {
    /// The most frames handed to the aggregator in one call.
    static let maxBatchesPerHop = 64

    /// Where it listens and whom it admits.
    struct Configuration: Sendable {
        /// Where to bind, e.g. `tcp://127.0.0.1:5570`, `tcp://127.0.0.1:*`, `ipc://…`, and
        /// `inproc://…` for a collector in the same process.
        var endpoints: [String]
        /// CURVE with allowlists; `nil` for plain transport.
        var security: TransportSecurity?
    }

    private let configuration: Configuration
    private let context: Context
    /// Where batches are made durable before they are acknowledged; `nil`: memory only.
    private let log: IngestLog?
    private let aggregator: Aggregator
    private let logger: Logger
    let thread = SocketThread(name: "ingest")

    /// Creates the server; ``run()`` binds and serves.
    ///
    /// - Parameters:
    ///   - context: The process's ZeroMQ context.
    ///   - aggregator: Where batches are counted.
    ///   - log: Where batches are made durable before they are acknowledged.
    ///   - logger: For binding, rejected frames and shutdown.
    init(configuration: Configuration, context: Context, aggregator: Aggregator, log: IngestLog?, logger: Logger) {
        precondition(!configuration.endpoints.isEmpty, "an ingest server needs an endpoint")
        self.configuration = configuration
        self.log = log
        self.context = context
        self.aggregator = aggregator
        self.logger = logger
    }

    func serve() throws {
        let router = try thread.bind(
            .router, context: context, endpoints: configuration.endpoints, security: configuration.security, logger: logger
        ) {
            socket throws(ZMQError) in
            try socket.set(.receiveHighWaterMark, to: 1000)
            try socket.set(.linger, to: .milliseconds(100))
        }
        defer { router.close() }
        let poller = Poller()
        poller.register(router)
        // Who gets an answer, and for which batch (`nil`: the frame did not decode).
        var replies: [(identity: [UInt8], batch: Int?)] = []
        while !thread.isStopping {
            do {
                guard try poller.poll(timeout: .milliseconds(50)) > 0 else { continue }
                var batches: [EventBatch] = []
                var frames: [[UInt8]] = []
                var errors: [WireError] = []
                replies.removeAll(keepingCapacity: true)
                while batches.count + errors.count < Self.maxBatchesPerHop,
                      let message = try router.tryReceiveMultipart() {
                    guard message.count == 2 else {
                        errors.append(.truncated(field: "frames"))
                        continue
                    }
                    do {
                        batches.append(try EventBatch.decode(message[1]))
                        frames.append(message[1])
                        replies.append((message[0], batches.count - 1))
                    } catch {
                        errors.append(error)
                        replies.append((message[0], nil))
                        logger.warning("Rejected an ingest frame", metadata: ["ingest.error": "\(error)"])
                    }
                }
                let time = aggregator.now
                let flush: IngestLog.Flush?
                do {
                    flush = try log.map { try $0.append(frames, time: time) }
                } catch {
                    // Unacknowledged, the batches come again from their collectors.
                    logger.error("Cannot write the ingest log; not acknowledging", metadata: [
                        "ingest.batches": "\(batches.count)", "error": "\(error)"])
                    continue
                }
                let position = flush?.position
                let acks = blockingCall { [aggregator, batches, errors] in
                    if !errors.isEmpty { await aggregator.reject(errors) }
                    return await aggregator.ingest(batches, at: time, loggedThrough: position)
                }
                do {
                    try flush?.wait()
                } catch {
                    // Counted but not durable: a crash now could lose them, so they are not
                    // acknowledged; a resend is answered `duplicate`.
                    logger.error("Cannot flush the ingest log; not acknowledging", metadata: [
                        "ingest.batches": "\(batches.count)", "error": "\(error)"])
                    continue
                }
                for reply in replies {
                    let ack = reply.batch.map { acks[$0] } ?? IngestAck(sequence: 0, status: .rejected)
                    _ = try router.trySend([reply.identity, ack.encoded()])
                }
            } catch {
                guard error == .contextTerminated else { throw error }
                break
            }
        }
        logger.info("Ingest stopped")
    }
}
