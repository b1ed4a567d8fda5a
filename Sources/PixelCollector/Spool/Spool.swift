import Foundation
import Logging
import PixelCore
import PixelSupport
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The collector's disk spool: every hit, every batch seal and every acknowledgement,
/// appended to segment files, so that a batch survives until the aggregator has
/// acknowledged it — across an outage, a kill -9 or a restart.
///
/// **Files.** Segments `spool-<number, 16 hex digits>.log` in the spool directory (names
/// sort in write order), each a run of ``SpoolRecord``s. A batch's hit records lie between
/// the previous seal record and its own; a new segment is begun only right after a seal,
/// once the current one holds ``segmentBytes``, so a batch never spans segments. A segment
/// is deleted once the reader is past it and every batch read from it is acknowledged.
///
/// **Writes and durability.** ``appendHit(_:sequence:)`` is one `write(2)` to the current
/// segment (opened `O_APPEND`) while the batcher holds its lock, so records are in order
/// and a hit is in the kernel before its HTTP answer leaves: a crash of the process loses
/// nothing. ``sync()`` (`fdatasync`) is run by the forwarder about once a second while
/// there is new data, so a power cut loses at most about the last second.
///
/// **Reading.** The forwarder's ``SpoolReader`` reads the newest segment only up to its
/// last seal record, so it never reads the hits of the open batch. A batch just sealed is
/// also kept in memory (the last ``recentLimit``): a reader that has read everything before
/// it takes it from there instead of reading and decoding its records again, and skips
/// over them. A reader that is behind (an outage, a backlog) reads from the files.
///
/// **Bound.** While the segments on disk hold ``limitBytes`` or more, hit records are
/// refused (``AppendResult/full``); seal and ack records are always written (they are
/// small, and acks are what frees space).
///
/// **Locking.** One `Mutex` guards the writing state. The batcher calls the writing
/// methods under its own lock; the forwarder calls the others. Order: batcher lock, then
/// this one.
final class Spool: Sendable {
    /// A segment on disk.
    struct Segment {
        let id: UInt64
        /// Bytes of whole records.
        var bytes: Int
        /// Where its last seal record ends.
        var sealedEnd: Int
    }

    /// A batch just sealed, kept in memory for a reader that is caught up.
    struct Recent {
        var batch: EventBatch
        let segment: UInt64
        /// Where the previous seal record of the segment ends (0 if none): a reader that
        /// has read up to here has read everything before this batch's hits.
        let start: Int
        /// Where this batch's seal record ends.
        let end: Int
    }

    /// What became of a hit record.
    enum AppendResult: Equatable {
        case written
        /// The spool holds ``limitBytes``.
        case full
        /// `write(2)` failed (such as `ENOSPC`); nothing of the record stays in the file.
        case failed
    }

    struct State {
        /// Oldest first; the last is the one written.
        var segments: [Segment]
        /// The last segment's descriptor, opened for appending.
        var descriptor: Int32 = -1
        var liveBytes = 0
        /// Records written since the last ``sync()``.
        var unsynced = false
        /// A segment was created since the last ``sync()``: the directory needs one too.
        var directoryUnsynced = false
        /// Descriptors of segments no longer written, to flush once and close.
        var retired: [Int32] = []
        /// In an episode of refused hits (logged once per episode).
        var refusing: AppendResult = .written
        /// Sealed batches not yet acknowledged, and their events.
        var pendingBatches = 0
        var pendingEvents = 0
        var buffer: [UInt8] = []
        var scratch: EventBatch
        /// The last batches sealed, oldest first.
        var recent: [Recent] = []
    }

    /// Batches sealed kept in memory for the reader.
    static let recentLimit = 128

    /// The directory of segment files.
    let directory: URL
    /// The collector whose batches the spool holds.
    let collector: CollectorID
    /// The most bytes of segments kept on disk.
    let limitBytes: Int
    /// The size after which a seal begins a new segment.
    let segmentBytes: Int
    /// What was found at start.
    let recovery: SpoolRecovery
    /// Sequence numbers above every one in the spool: new batches start here or later.
    let nextSequence: UInt64
    /// Batches sealed and acknowledged before this start, for the reader to skip.
    let acknowledgedAtStart: Set<UInt64>
    let logger: Logger
    /// Internal, not private, for the reading side in `Spool+Reading.swift`.
    let state: Mutex<State>

    /// Opens the spool in `directory`, creating it if needed, and recovers what it holds:
    /// cuts off torn or damaged records, and seals the batch that was open at a crash.
    ///
    /// - Parameters:
    ///   - limitBytes: The most bytes of segments on disk.
    ///   - segmentBytes: When a new segment is begun; by default 16 MiB, or an eighth of the
    ///     limit when that is smaller (so that acknowledged segments can always be deleted
    ///     before the limit is reached).
    init(
        directory: URL, collector: CollectorID, limitBytes: Int, segmentBytes: Int? = nil, logger: Logger
    ) throws {
        self.directory = directory
        self.collector = collector
        self.limitBytes = limitBytes
        self.segmentBytes = segmentBytes ?? min(16 << 20, max(4096, limitBytes / 8))
        self.logger = logger
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var scan = try SpoolScan(directory: directory, logger: logger)
        var state = State(segments: scan.segments, scratch: EventBatch(collector: collector, sequence: 0))
        if state.segments.isEmpty { state.segments.append(Segment(id: 1, bytes: 0, sealedEnd: 0)) }
        let last = state.segments[state.segments.count - 1]
        state.descriptor = try FileIO.openForAppending(Self.path(of: last.id, in: directory))
        state.directoryUnsynced = scan.segments.isEmpty
        if let open = scan.openBatch {
            // The batch open at the crash was never sent: seal it under its own sequence.
            state.buffer.removeAll(keepingCapacity: true)
            SpoolRecord.appendSeal(sequence: open.sequence, events: open.events, to: &state.buffer)
            try FileIO.writeAll(state.buffer, to: state.descriptor)
            state.segments[state.segments.count - 1].bytes += state.buffer.count
            state.segments[state.segments.count - 1].sealedEnd = state.segments[state.segments.count - 1].bytes
            state.unsynced = true
            scan.sealed.append((open.sequence, open.events))
            scan.recovery.sealedOpenEvents = open.events
        }
        state.liveBytes = state.segments.reduce(0) { $0 + $1.bytes }
        for (sequence, events) in scan.sealed where !scan.acknowledged.contains(sequence) {
            state.pendingBatches += 1
            state.pendingEvents += events
        }
        scan.recovery.batches = state.pendingBatches
        scan.recovery.events = state.pendingEvents
        recovery = scan.recovery
        nextSequence = scan.highestSequence.map { $0 &+ 1 } ?? 0
        acknowledgedAtStart = Set(scan.sealed.lazy.map(\.sequence).filter(scan.acknowledged.contains))
        self.state = Mutex(state)
    }

    deinit {
        state.withLock { state in
            for descriptor in state.retired { close(descriptor) }
            if state.descriptor >= 0 { close(state.descriptor) }
        }
    }

    /// `spool-<number, 16 hex digits>.log`.
    static let naming = SegmentNaming(prefix: "spool-", suffix: ".log")

    static func name(of id: UInt64) -> String { naming.name(of: id) }

    static func path(of id: UInt64, in directory: URL) -> String {
        directory.appending(path: name(of: id)).path
    }

    // MARK: Writing (under the batcher's lock)

    /// Writes a hit record for the batch `sequence`, unless the spool is full.
    func appendHit(_ hit: HitEvent, sequence: UInt64) -> AppendResult {
        state.withLock { state in
            state.buffer.removeAll(keepingCapacity: true)
            SpoolRecord.appendHit(hit, sequence: sequence, scratch: &state.scratch, to: &state.buffer)
            guard state.liveBytes + state.buffer.count <= limitBytes else {
                if state.refusing != .full {
                    state.refusing = .full
                    logger.warning(
                        "The spool is full; new hits are answered but not counted until acknowledgements free space",
                        metadata: ["spool.bytes": "\(state.liveBytes)", "spool.limit": "\(limitBytes)"])
                }
                return .full
            }
            guard appendBuffer(&state) else { return .failed }
            if state.refusing != .written {
                logger.notice("The spool takes hits again", metadata: ["spool.bytes": "\(state.liveBytes)"])
                state.refusing = .written
            }
            return .written
        }
    }

    /// Writes a seal record: `batch` holds the hits written for it since the previous seal.
    /// Keeps the batch in memory for the reader; begins a new segment after it when the
    /// current one is full.
    ///
    /// - Returns: Whether the record was written.
    func appendSeal(_ batch: EventBatch) -> Bool {
        state.withLock { state in
            state.buffer.removeAll(keepingCapacity: true)
            SpoolRecord.appendSeal(
                sequence: batch.sequence, events: batch.count, reportsFates: batch.reportsFates, to: &state.buffer)
            let index = state.segments.count - 1
            let start = state.segments[index].sealedEnd
            guard appendBuffer(&state) else { return false }
            let end = state.segments[index].bytes
            state.segments[index].sealedEnd = end
            state.pendingBatches += 1
            state.pendingEvents += batch.count
            if state.recent.count >= Self.recentLimit { state.recent.removeFirst() }  // the reader is behind
            state.recent.append(Recent(batch: batch, segment: state.segments[index].id, start: start, end: end))
            if end >= segmentBytes { beginSegment(&state) }
            return true
        }
    }

    /// The batch sealed right after `position` of segment `segment`, if it is still in
    /// memory; forgets the batches before it, which the reader has read from the file.
    func takeRecent(segment: UInt64, position: Int) -> Recent? {
        state.withLock { state in
            var stale = 0
            for recent in state.recent {
                guard recent.segment < segment || (recent.segment == segment && recent.end <= position) else { break }
                stale += 1
            }
            state.recent.removeFirst(stale)
            guard let first = state.recent.first, first.segment == segment, first.start == position else { return nil }
            return state.recent.removeFirst()
        }
    }

    // MARK: Internals

    /// Writes `state.buffer` to the current segment; on failure cuts the file back.
    func appendBuffer(_ state: inout State) -> Bool {
        do {
            try FileIO.writeAll(state.buffer, to: state.descriptor)
        } catch {
            // A partial record would hide every record after it: take it back out.
            let index = state.segments.count - 1
            _ = ftruncate(state.descriptor, off_t(state.segments[index].bytes))
            if state.refusing != .failed {
                state.refusing = .failed
                logger.error(
                    "Writing to the spool failed; hits are answered but not counted",
                    metadata: ["spool.segment": "\(Self.name(of: state.segments[index].id))", "error": "\(error)"])
            }
            return false
        }
        state.segments[state.segments.count - 1].bytes += state.buffer.count
        state.liveBytes += state.buffer.count
        state.unsynced = true
        return true
    }

    /// Begins the next segment; the current one is kept open until ``sync()`` flushes it.
    private func beginSegment(_ state: inout State) {
        let id = state.segments[state.segments.count - 1].id + 1
        let descriptor: Int32
        do {
            descriptor = try FileIO.openForAppending(Self.path(of: id, in: directory))
        } catch {
            // Keep writing to the current segment; the next seal tries again.
            logger.error("Could not begin a spool segment", metadata: ["spool.segment": "\(Self.name(of: id))", "error": "\(error)"])
            return
        }
        if state.unsynced { state.retired.append(state.descriptor) } else { close(state.descriptor) }
        state.descriptor = descriptor
        state.unsynced = false
        state.directoryUnsynced = true
        state.segments.append(Segment(id: id, bytes: 0, sealedEnd: 0))
    }
}
