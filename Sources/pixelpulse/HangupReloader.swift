import Logging
import PixelSupport
import ServiceLifecycle
import UnixSignals

/// Something read again on SIGHUP. A file that does not parse or check is refused with the
/// reason, and what is in force stays.
protocol HangupReload: Sendable {
    func reload() async
}

/// Reloads on SIGHUP, one process's reloads in order: `serve` reloads the aggregator's
/// files and the collector's with one signal.
struct HangupReloader: Service {
    let reloads: [any HangupReload]
    /// Resolved once SIGHUP is trapped (before that, it would end the process).
    let trapping = OneShot<Void>()

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        trapping.succeed(())
        for await _ in signals.cancelOnGracefulShutdown() {
            for reload in reloads { await reload.reload() }
        }
    }
}
