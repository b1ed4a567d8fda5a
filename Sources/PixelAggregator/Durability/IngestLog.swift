#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
public import Foundation
public import PixelCore
public import PixelSupport
import Synchronization

/// The write-ahead log of ingest: every batch frame goes to disk, and is flushed with
/// `fdatasync` (while the aggregator counts it), before its acknowledgement leaves. So whatever a collector saw
/// acknowledged survives a kill -9 (and a power cut): on start the aggregator replays the
/// log, and the same batches, in the same order, rebuild the same windows and the same
/// de-duplication marks.
///
/// **Files.** Segments `ingest-<first record time, ms, 16 hex digits>.wal` in the data
/// directory, each a sequence of records:
///
/// | bytes | field |
/// |---|---|
/// | 4 | payload length *n*, u32 little-endian |
/// | 4 | CRC-32 of the time and the payload, u32 little-endian |
/// | 8 | the aggregator's clock when the batch arrived, ms, i64 little-endian |
/// | *n* | the batch frame, exactly as received (wire v1) |
///
/// A segment is closed after ``segmentBytes`` and a new one begun. A segment is deleted
/// once even its newest record is older than the retention (the longest window plus the
/// grace period): such events could count in no window any more.
///
/// **Damage.** A record cut short at the end of the newest segment (the process died while
/// writing it, so it was never acknowledged) is cut off. A record whose checksum does not
/// match ends the replay of its segment, loudly: what follows it is not trusted.
public final class IngestLog: Sendable {
    /// What a replay found.
    public struct ReplaySummary: Sendable, Equatable {
        public var segments = 0
        public var records = 0
        /// Bytes of a torn last record, cut off.
        public var tornBytes = 0
        /// Segments whose replay stopped at a record that failed its checksum.
        public var corruptSegments: [String] = []
    }

    private struct State {
        var descriptor: Int32 = -1
        var segmentSize = 0
        /// Segment names with the time of their first record, oldest first.
        var segments: [(name: String, start: Int64)] = []
    }

    public let directory: URL
    /// How long records are kept, ms.
    public let retention: Int64
    /// The size after which a new segment is begun.
    public let segmentBytes: Int
    private let state = Mutex(State())
    /// Runs the `fdatasync`s, so that they overlap with counting.
    private let flusher = DispatchQueue(label: "pixelpulse.ingest-log.flush")

    /// `ingest-<first record time, ms, 16 hex digits>.wal`.
    static let naming = SegmentNaming(prefix: "ingest-", suffix: ".wal")
    /// Each record's prefix is the clock when its batch arrived.
    static let framing = RecordFraming(prefixBytes: 8)

    /// Opens (creating it if needed) the log in `directory`.
    public init(directory: URL, retention: Int64, segmentBytes: Int = 64 << 20) throws {
        self.directory = directory
        self.retention = retention
        self.segmentBytes = segmentBytes
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let starts = try Self.naming.numbers(in: directory, as: Int64.self)
        state.withLock { state in
            state.segments = starts.map { (Self.naming.name(of: $0), $0) }
        }
    }

    deinit {
        state.withLock { if $0.descriptor >= 0 { close($0.descriptor) } }
    }

    /// A place in the log: the segment (by the time in its name) and a byte offset in it.
    public typealias Position = LogPosition

    /// Replays the records after `position` (every record when it is `nil`), oldest first:
    /// hands each group of batches logged at one time to `count`, with that time and where
    /// the group's records end; cuts off a torn last record. Call once, at start, before the
    /// first ``append(_:time:)``.
    public func replay(
        after position: Position? = nil,
        into count: (_ batches: [EventBatch], _ time: Int64, _ through: Position) async -> Void
    ) async throws -> ReplaySummary {
        var summary = ReplaySummary()
        let segments = state.withLock { $0.segments }.filter { $0.start >= position?.segment ?? .min }
        for (index, segment) in segments.enumerated() {
            let url = directory.appending(path: segment.name)
            let data = try Data(contentsOf: url)
            let skip = segment.start == position?.segment ? position!.offset : 0
            let (records, end, corrupt) = Self.records(in: data)
            summary.segments += 1
            var group: [EventBatch] = []
            var groupTime: Int64?
            var groupEnd = 0
            func flush() async {
                guard let time = groupTime else { return }
                await count(group, time, Position(segment: segment.start, offset: groupEnd))
                group.removeAll(keepingCapacity: true)
            }
            for record in records where record.end > skip {
                summary.records += 1
                if record.time != groupTime {
                    await flush()
                    groupTime = record.time
                }
                // Only frames that decoded were logged; one that no longer does was damaged
                // in a way its checksum missed, and is skipped.
                if let batch = try? EventBatch.decode(record.frame) { group.append(batch) }
                groupEnd = record.end
            }
            await flush()
            if corrupt || (end < data.count && index < segments.count - 1) {
                summary.corruptSegments.append(segment.name)
            } else if end < data.count {
                summary.tornBytes = data.count - end
                try FileIO.cut(url.path, to: end)
            }
        }
        return summary
    }

    /// The whole records at the start of `data`, each with the offset it ends at; where
    /// they end, and whether a checksum failed there.
    static func records(in data: Data) -> (records: [(time: Int64, frame: [UInt8], end: Int)], end: Int, corrupt: Bool) {
        data.withUnsafeBytes { bytes in
            var records: [(time: Int64, frame: [UInt8], end: Int)] = []
            var offset = 0
            while true {
                switch framing.parse(UnsafeRawBufferPointer(rebasing: bytes[offset...])) {
                case .incomplete:
                    return (records, offset, false)
                case .damaged:
                    return (records, offset, true)
                case .record(let body, let size):
                    offset += size
                    records.append((Int64(littleEndian: body.loadUnaligned(as: Int64.self)), Array(body[8...]), offset))
                }
            }
        }
    }

    /// The flush of an ``append(_:time:)`` to disk, running on the log's own queue so the
    /// caller can count the batches meanwhile.
    public final class Flush: Sendable {
        /// Where the appended records end.
        public let position: Position
        private let done = DispatchSemaphore(value: 0)
        private let failure = Atomic<Int32>(0)

        fileprivate init(position: Position) { self.position = position }

        fileprivate func finish(_ result: Int32) {
            failure.store(result == 0 ? 0 : errno, ordering: .relaxed)
            done.signal()
        }

        /// Waits until the records are on disk; throws if the flush failed.
        public func wait() throws(SystemCallError) {
            done.wait()
            let code = failure.load(ordering: .relaxed)
            if code != 0 { throw SystemCallError("fdatasync", errno: code) }
        }
    }

    /// Appends one record per frame and starts flushing them to disk (`fdatasync`); wait on
    /// the returned ``Flush`` before acknowledging them. Call from one thread, and wait for
    /// each flush before the next append.
    ///
    /// - Parameter time: The aggregator's clock now, ms: replay counts the frames as of it.
    public func append(_ frames: [[UInt8]], time: Int64) throws(SystemCallError) -> Flush {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(frames.reduce(0) { $0 + $1.count + RecordFraming.headerBytes + 8 })
        for frame in frames {
            Self.framing.append(to: &buffer) { body in
                withUnsafeBytes(of: time.littleEndian) { body += $0 }
                body += frame
            }
        }
        let (descriptor, position) = try state.withLock { (state) throws(SystemCallError) in
            if state.descriptor < 0 || state.segmentSize >= segmentBytes { try begin(&state, time: time) }
            try FileIO.writeAll(buffer, to: state.descriptor)
            state.segmentSize += buffer.count
            return (state.descriptor, Position(segment: state.segments.last!.start, offset: state.segmentSize))
        }
        let flush = Flush(position: position)
        // The closure holds the log, so its descriptor stays open until the flush is done.
        flusher.async { [self] in flush.finish(withExtendedLifetime(self) { fdatasync(descriptor) }) }
        return flush
    }

    /// Closes the current segment, begins a new one, and deletes the segments that hold
    /// only records older than the retention.
    private func begin(_ state: inout State, time: Int64) throws(SystemCallError) {
        if state.descriptor >= 0 {
            // Flushes queued for the old segment still name its descriptor: close it on the
            // flush queue after them, after one last flush, so that its number is not reused
            // (by the new segment, typically) before they have run.
            let old = state.descriptor
            flusher.async {
                fdatasync(old)
                close(old)
            }
        }
        var start = time
        if let last = state.segments.last, last.start >= start { start = last.start + 1 }  // names stay in order
        let name = Self.naming.name(of: start)
        state.descriptor = try FileIO.openForAppending(directory.appending(path: name).path)
        state.segmentSize = 0
        state.segments.append((name, start))
        FileIO.syncDirectory(directory.path)
        // Segment i holds records older than segment i + 1's start.
        while state.segments.count > 1, state.segments[1].start <= time - retention {
            unlink(directory.appending(path: state.segments[0].name).path)
            state.segments.removeFirst()
        }
    }

    /// Deletes the segments that end before `position`: a checkpoint holds what they held.
    public func removeSegments(before position: Position) {
        state.withLock { state in
            while state.segments.count > 1, state.segments[1].start <= position.segment {
                unlink(directory.appending(path: state.segments[0].name).path)
                state.segments.removeFirst()
            }
        }
    }

}
