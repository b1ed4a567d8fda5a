import AsyncAlgorithms
import Logging
import ServiceLifecycle

/// Writes a checkpoint of the aggregator to its ``DataDirectory`` on an interval, and a
/// last one on graceful shutdown.
///
/// ``AggregatorService`` lists it before the ingest server: services stop in reverse
/// order, so the last checkpoint is written once ingest has stopped and holds every
/// batch acknowledged.
final class Checkpointer: Service {
    private let directory: DataDirectory
    private let aggregator: Aggregator
    private let interval: Duration
    private let logger: Logger

    init(directory: DataDirectory, aggregator: Aggregator, interval: Duration, logger: Logger) {
        self.directory = directory
        self.aggregator = aggregator
        self.interval = interval
        self.logger = logger
    }

    func run() async throws {
        for await _ in AsyncTimerSequence(interval: interval, clock: .continuous).cancelOnGracefulShutdown() {
            await write()
        }
        await write()
    }

    private func write() async {
        let started = ContinuousClock.now
        do {
            let summary = try await directory.writeCheckpoint(of: aggregator)
            logger.info("Wrote a checkpoint", metadata: [
                "checkpoint.name": "\(summary.name)", "checkpoint.bytes": "\(summary.bytes)",
                "checkpoint.duration": "\(ContinuousClock.now - started)"])
        } catch {
            // The log still holds everything since the last good checkpoint.
            logger.error("Cannot write a checkpoint", metadata: ["error": "\(error)"])
        }
    }
}
