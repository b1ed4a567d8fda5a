#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import Foundation
public import PixelCore
import PixelSupport
import Synchronization

/// The aggregator's data directory: the write-ahead ``IngestLog`` and the ``Checkpoint``s.
///
/// A checkpoint holds the whole state and the log position it covers, so a start restores
/// the newest good checkpoint and replays only the log after it. Two checkpoints are kept,
/// the newest and the one before, and the log back to the older one: if the newest is
/// damaged, the one before and the log after it still give every count.
public final class DataDirectory: Sendable {
    public let url: URL
    public let log: IngestLog
    /// The checkpoints kept: the newest and the one before it.
    public static let keptCheckpoints = 2

    /// The checkpoints this directory may still need, oldest first: the one restored at
    /// start, then those written since.
    private let kept = Mutex<[(name: String, position: IngestLog.Position?)]>([])

    /// What a start found and did.
    public struct RestoreSummary: Sendable {
        /// The checkpoint restored: its file name and the clock it was taken at.
        public var checkpoint: (name: String, time: Int64)?
        /// Checkpoints refused, newest first, and why.
        public var refused: [(name: String, reason: CheckpointError)] = []
        /// The log replayed after the checkpoint.
        public var replay = IngestLog.ReplaySummary()
    }

    /// What a checkpoint wrote.
    public struct CheckpointSummary: Sendable {
        public var name: String
        public var bytes: Int
    }

    /// Opens (creating it if needed) the data directory at `url`.
    ///
    /// - Parameters:
    ///   - retention: How long log records are kept at most, ms (the longest window plus
    ///     the grace period).
    ///   - segmentBytes: The size after which the log begins a new segment.
    public init(url: URL, retention: Int64, segmentBytes: Int = 64 << 20) throws {
        self.url = url
        log = try IngestLog(directory: url, retention: retention, segmentBytes: segmentBytes)
    }

    /// `checkpoint-<clock ms, 16 hex digits>.ckpt`.
    static let checkpointNaming = SegmentNaming(prefix: "checkpoint-", suffix: ".ckpt")

    /// The checkpoint files, oldest first.
    public func checkpointNames() throws -> [String] {
        try Self.checkpointNaming.numbers(in: url, as: Int64.self).map { Self.checkpointNaming.name(of: $0) }
    }

    /// Restores the newest checkpoint that loads (refusing, and reporting, any that is
    /// damaged or was written with other windows), then replays the log after it. Call
    /// once, at start, before anything is counted.
    public func restore(into aggregator: Aggregator) async throws -> RestoreSummary {
        var summary = RestoreSummary()
        var position: IngestLog.Position?
        for name in try checkpointNames().reversed() {
            do {
                let checkpoint = try Checkpoint(fileBytes: try Data(contentsOf: url.appending(path: name)))
                try await aggregator.restore(checkpoint)
                summary.checkpoint = (name, checkpoint.time)
                position = checkpoint.logPosition
                kept.withLock { $0 = [(name, position)] }
                break
            } catch let error as CheckpointError {
                summary.refused.append((name, error))
            } catch {
                summary.refused.append((name, CheckpointError("cannot be read: \(error)")))
            }
        }
        summary.replay = try await log.replay(after: position) { batches, time, through in
            await aggregator.ingest(batches, at: time, loggedThrough: through, replaying: true)
        }
        return summary
    }

    /// Writes a checkpoint of `aggregator` (to a temporary file, `fsync`ed, then renamed, so
    /// a crash leaves the old file or the new one, never half of one), then deletes the
    /// checkpoints and log segments no longer needed.
    public func writeCheckpoint(of aggregator: Aggregator) async throws -> CheckpointSummary {
        let checkpoint = await aggregator.checkpoint()
        let bytes = checkpoint.fileBytes
        let existing = try checkpointNames()
        let newest = existing.last
        var time = checkpoint.time
        var name = Self.checkpointNaming.name(of: time)
        while let newest, name <= newest {  // names stay in order
            time += 1
            name = Self.checkpointNaming.name(of: time)
        }
        let temporary = url.appending(path: name + ".tmp").path
        let descriptor = try systemCall("open \(temporary)") { open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644) }
        do {
            defer { close(descriptor) }
            try FileIO.writeAll(bytes, to: descriptor)
            try systemCall("fsync \(temporary)") { fsync(descriptor) }
        } catch {
            unlink(temporary)
            throw error
        }
        try systemCall("rename \(temporary)") { rename(temporary, url.appending(path: name).path) }
        FileIO.syncDirectory(url.path)
        let (oldest, keep) = kept.withLock { kept in
            kept.append((name, checkpoint.logPosition))
            if kept.count > Self.keptCheckpoints { kept.removeFirst(kept.count - Self.keptCheckpoints) }
            return (kept.count == Self.keptCheckpoints ? kept[0] : nil, Set(kept.map(\.name)))
        }
        for old in existing where !keep.contains(old) {
            unlink(url.appending(path: old).path)
        }
        if let position = oldest?.position { log.removeSegments(before: position) }
        return CheckpointSummary(name: name, bytes: bytes.count)
    }

}
