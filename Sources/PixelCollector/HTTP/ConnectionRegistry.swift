import NIOCore
import Synchronization

/// The open HTTP connections, so a graceful shutdown can close them once idle.
final class ConnectionRegistry: Sendable {
    private let channels = Mutex<[ObjectIdentifier: any Channel]>([:])

    /// Tracks a new connection until it closes.
    func add(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        channels.withLock { $0[id] = channel }
        channel.closeFuture.whenComplete { [self] _ in
            _ = channels.withLock { $0.removeValue(forKey: id) }
        }
    }

    /// The number of open connections.
    var count: Int { channels.withLock { $0.count } }

    /// Asks every connection to close after its current response, and closes the ones still
    /// open after `grace`.
    func quiesce(grace: Duration, on eventLoop: any EventLoop) async {
        let open = channels.withLock { Array($0.values) }
        guard !open.isEmpty else { return }
        for channel in open {
            channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
        let forceClose = eventLoop.scheduleTask(in: TimeAmount(grace)) {
            for channel in open { channel.close(promise: nil) }
        }
        try? await EventLoopFuture.andAllComplete(open.map(\.closeFuture), on: eventLoop).get()
        forceClose.cancel()
    }
}
