import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// The NIO listener: one event loop per thread, SwiftNIO's HTTP/1.1 codec, and a
/// ``CollectorHTTPHandler`` per connection.
struct CollectorHTTPServer: Sendable {
    let group: MultiThreadedEventLoopGroup
    let listener: any Channel
    let connections: ConnectionRegistry
    /// Set once the event loops are being shut down, after which nothing may be scheduled
    /// on them; the lock orders it with ``closeListener()``.
    private let loopsStopped = SharedFlag()

    /// The port the listener is bound to.
    var port: Int { listener.localAddress?.port ?? 0 }

    /// Binds and starts accepting connections.
    static func start(
        host: String, port: Int, threads: Int, idleTimeout: Duration, services: HTTPServices
    ) async throws -> CollectorHTTPServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, threads))
        let caches = try await responseCaches(of: group)
        let connections = ConnectionRegistry()
        let idle = TimeAmount(idleTimeout)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let responses = caches[ObjectIdentifier(channel.eventLoop)]?.value
                        ?? ResponseCache(allocator: channel.allocator)
                    let pipeline = channel.pipeline.syncOperations
                    // SwiftNIO's request decoder, then our handler and nothing else: every
                    // handler costs each request a hop. Responses are serialised in advance
                    // and written as bytes, so no response encoder; answers are written in
                    // order and synchronously, so no pipelining helper; parse errors and idle
                    // connections are handled by CollectorHTTPHandler.
                    try pipeline.addHandler(ByteToMessageHandler(HTTPRequestDecoder(
                        leftOverBytesStrategy: .dropBytes, informationalResponseStrategy: .drop,
                        limitConfiguration: NIOHTTPDecoderLimitConfiguration())))
                    try pipeline.addHandler(
                        CollectorHTTPHandler(services: services, responses: responses, idleTimeout: idle))
                    connections.add(channel)
                }
            }
        do {
            let listener = try await bootstrap.bind(host: host, port: port).get()
            return CollectorHTTPServer(group: group, listener: listener, connections: connections)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    /// A response cache per event loop; shuts the group down if that fails.
    private static func responseCaches(
        of group: MultiThreadedEventLoopGroup
    ) async throws -> [ObjectIdentifier: NIOLoopBound<ResponseCache>] {
        do {
            return try await ResponseCache.perLoop(of: group)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    /// Stops accepting connections. Safe from any thread, any number of times.
    func closeListener() {
        loopsStopped.unlessSet { listener.close(promise: nil) }
    }

    /// Waits until the listener is closed.
    func waitUntilClosed() async {
        try? await listener.closeFuture.get()
    }

    /// Lets open connections finish their current request, closes them, and stops the
    /// event loops.
    func stop(grace: Duration, logger: Logger) async {
        closeListener()
        await connections.quiesce(grace: grace, on: group.next())
        loopsStopped.set()
        do {
            try await group.shutdownGracefully()
        } catch {
            logger.warning("Event loops did not shut down cleanly", metadata: ["error": "\(error)"])
        }
    }
}

/// A flag that runs an action only while unset, atomically with setting it.
private final class SharedFlag: Sendable {
    private let isSet = Mutex(false)

    func set() {
        isSet.withLock { $0 = true }
    }

    func unlessSet(_ action: () -> Void) {
        isSet.withLock { if !$0 { action() } }
    }
}
