import Logging
import PixelSupport
import ServiceLifecycle
import ZeroMQ

/// The thread of a server socket: ready with the first endpoint bound (the real port for
/// `:*`), ending with nothing.
///
/// ``IngestServer``, ``FeedServer`` and ``SnapshotServer`` each own one; libzmq is only ever
/// called from the thread it starts.
typealias SocketThread = LoopThread<String, Void>

extension LoopThread where Ready == String, Outcome == Void {
    /// The first endpoint bound (with the real port for `:*`), once bound.
    var boundEndpoint: String {
        get async throws { try await readiness }
    }

    /// Waits for the loop to end, rethrowing its error.
    func join() async throws { try await outcome }

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
    /// and reports the first bound endpoint to ``boundEndpoint`` (an error reaches it when
    /// the loop throws it). Call it on the thread.
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
                logger.info("Socket listening", metadata: ["socket": "\(name)", "socket.endpoint": "\(actual)"])
            }
            ready(first!)
            return socket
        } catch {
            logger.error("Socket cannot bind", metadata: ["socket": "\(name)", "socket.endpoints": "\(endpoints)", "error": "\(error)"])
            throw error
        }
    }
}

/// A server whose socket loop runs on its own ``SocketThread``.
protocol SocketServer: Service {
    var thread: SocketThread { get }
    /// The socket loop; runs on ``thread`` until it is stopped.
    func serve() throws
}

extension SocketServer {
    /// The first endpoint actually bound (with the real port for `:*`), once ``run()`` has
    /// bound them all.
    var boundEndpoint: String {
        get async throws { try await thread.boundEndpoint }
    }

    /// Serves until graceful shutdown.
    func run() async throws {
        try await thread.runUntilGracefulShutdown { [self] in try serve() }
    }
}
