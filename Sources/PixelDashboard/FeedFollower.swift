import AsyncAlgorithms
import Logging
import PixelCore
import PixelPulseClient
import ServiceLifecycle

/// Follows the aggregator's whole feed (the empty prefix: snapshot, sequenced updates,
/// resyncs on gaps, restarts and silence) into a ``DashboardHub``, and sends the hub's
/// streams a keep-alive comment on a timer. On graceful shutdown it ends every stream.
struct FeedFollower: Service {
    let source: FeedClientSource
    let hub: DashboardHub
    let keepAliveInterval: Duration
    let logger: Logger

    init(client source: FeedClientSource, hub: DashboardHub, keepAliveInterval: Duration, logger: Logger) {
        self.source = source
        self.hub = hub
        self.keepAliveInterval = keepAliveInterval
        self.logger = logger
    }

    func run() async throws {
        await withTaskGroup(of: Void.self) { tasks in
            tasks.addTask { await follow() }
            tasks.addTask {
                for await _ in AsyncTimerSequence(interval: keepAliveInterval, clock: .continuous).cancelOnGracefulShutdown() {
                    hub.keepAlive()
                }
            }
            await tasks.next()
            tasks.cancelAll()
        }
        hub.close()
    }

    /// Follows the feed until graceful shutdown; a stream that fails is logged and opened
    /// again a second later.
    private func follow() async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    for try await state in try await source.client().updates(prefix: "") {
                        hub.apply(state, now: WallClock.milliseconds())
                    }
                } catch {
                    logger.error("The dashboard's feed stream failed; following it again", metadata: ["feed.error": "\(error)"])
                }
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}
