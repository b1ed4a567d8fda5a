import Logging
import PixelSupport
import ServiceLifecycle
import ZeroMQ

/// The life of a server socket on its own thread: bind, report the bound endpoint to async
/// code, loop until asked to stop, report the end.
///
/// ``IngestServer`` and ``FeedServer`` each own one; libzmq is only ever called from the
/// thread this starts.
final class SocketThread: Sendable {
    private let name: String
    private let bound = OneShot<String>()
    private let finished = OneShot<Void>()
    private let stopping = StopFlag()

    init(name: String) { self.name = name }

    /// The first endpoint bound (with the real port for `:*`), once bound.
    var boundEndpoint: String {
        get async throws { try await bound.value }
    }

    /// Whether ``stop()`` was called; the loop checks it between polls.
    var isStopping: Bool { stopping.isStopped }

    func stop() { stopping.stop() }

    /// Starts `loop` on a new thread.
    func start(_ loop: @escaping @Sendable () throws -> Void) {
        _ = WorkerThread.start(name: name) { [finished] in finished.resolve(Result { try loop() }) }
    }

    /// Waits for the loop to end, rethrowing its error.
    func join() async throws { try await finished.value }

    /// Runs `loop` on the thread until a graceful shutdown (or its own end), then stops it
    /// and waits for it.
    func runUntilGracefulShutdown(_ loop: @escaping @Sendable () throws -> Void) async throws {
        start(loop)
        await withGracefulShutdownHandler {
            try? await join()
        } onGracefulShutdown: {
            self.stop()
        }
        stop()
        try await join()
    }

    /// Makes a socket, lets `configure` set its options, makes it a CURVE server when
    /// `security` is set (its ZAP domain is this thread's name), binds it to every endpoint
    /// and reports the first bound endpoint (or the error) to ``boundEndpoint``. Call it on
    /// the thread.
    func bind(
        _ type: SocketType, context: Context, endpoints: [String], security: TransportSecurity?, logger: Logger,
        configure: (Socket) throws(ZMQError) -> Void
    ) throws(ZMQError) -> Socket {
        do {
            let socket = try context.socket(type)
            try configure(socket)
            if let security {
                try socket.makeCurveServer(secretKey: security.keyPair.secretKey)
                try socket.set(.zapDomain, to: name)
            }
            var first: String?
            for endpoint in endpoints {
                try socket.bind(endpoint)
                let actual = try socket.lastEndpoint
                first = first ?? actual
                logger.info("\(name) listening", metadata: ["endpoint": "\(actual)"])
            }
            bound.succeed(first!)
            return socket
        } catch {
            logger.error("\(name) cannot bind", metadata: ["endpoints": "\(endpoints)", "error": "\(error)"])
            bound.fail(error)
            throw error
        }
    }
}
