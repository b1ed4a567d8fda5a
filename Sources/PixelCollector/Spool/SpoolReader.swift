import Logging
import PixelCore
import PixelSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The forwarder's cursor over the spool: reads records in write order, rebuilds each
/// batch from its hit records and hands it over at its seal; deletes segments once they
/// are read and all their batches acknowledged.
///
/// Reads only whole records (up to where the writer has got). Batches acknowledged before
/// a restart are skipped. Used by one thread.
struct SpoolReader {
    private let spool: Spool
    private let collector: CollectorID
    private let logger: Logger
    /// The segment being read, its descriptor, the file offset of `buffer[0]`, and how
    /// much of the buffer is parsed.
    private var segment: UInt64
    private var descriptor: Int32 = -1
    private var offset = 0
    private var buffer: [UInt8] = []
    private var consumed = 0
    private var building: EventBatch?
    private var skip: Set<UInt64>
    /// Batches handed over and not acknowledged: their segment and event count.
    private var outstanding: [UInt64: (segment: UInt64, events: Int)] = [:]
    private var outstandingPerSegment: [UInt64: Int] = [:]
    /// Batches taken from memory rather than read from the files.
    private(set) var batchesFromMemory = 0

    /// Bytes read from a segment at a time.
    static let chunkBytes = 1 << 20

    init(spool: Spool, logger: Logger) {
        self.spool = spool
        collector = spool.collector
        self.logger = logger
        segment = spool.firstSegment
        skip = spool.acknowledgedAtStart
    }

    /// Closes the segment being read.
    mutating func closeSegment() {
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
    }

    /// Whether every whole record written so far has been read.
    var isAtEnd: Bool {
        guard let extent = spool.extent(of: segment) else { return true }
        return extent.next == nil && offset + consumed >= extent.bytes
    }

    /// Batches handed over and not yet acknowledged.
    var outstandingCount: Int { outstanding.count }

    /// Reads up to `limit` sealed batches, oldest first.
    mutating func read(limit: Int) -> [EventBatch] {
        var batches: [EventBatch] = []
        while batches.count < limit {
            // The next batch is still in memory: skip over its records.
            if building == nil, let recent = spool.takeRecent(segment: segment, position: offset + consumed) {
                if recent.end <= offset + buffer.count {
                    consumed = recent.end - offset
                } else {
                    offset = recent.end
                    buffer.removeAll(keepingCapacity: true)
                    consumed = 0
                }
                hand(recent.batch, events: recent.batch.count, into: &batches)
                batchesFromMemory += 1
                continue
            }
            if parseNext(into: &batches) { continue }
            guard let extent = spool.extent(of: segment) else { break }
            let unread = extent.bytes - (offset + buffer.count)
            if unread > 0 {
                guard fill(upTo: min(unread, Self.chunkBytes)) else { break }
                continue
            }
            guard let next = extent.next else { break }
            // Batches never span segments: what is left over lost its seal.
            if consumed < buffer.count || building != nil {
                logger.error(
                    "A spool segment ended inside a batch; its hits are lost",
                    metadata: ["spool.segment": "\(Spool.name(of: segment))", "events": "\(building?.count ?? 0)"])
            }
            building = nil
            closeSegment()
            segment = next
            offset = 0
            buffer.removeAll(keepingCapacity: true)
            consumed = 0
            deleteFinishedSegments()
        }
        return batches
    }

    /// Notes an acknowledgement: writes its ack record and deletes the segments that are
    /// finished. Unknown sequence numbers (acknowledged before) are ignored.
    mutating func acknowledge(_ sequence: UInt64) {
        guard let entry = outstanding.removeValue(forKey: sequence) else { return }
        spool.appendAck(sequence: sequence, events: entry.events)
        outstandingPerSegment[entry.segment, default: 1] -= 1
        if outstandingPerSegment[entry.segment] == 0 { outstandingPerSegment[entry.segment] = nil }
        deleteFinishedSegments()
    }

    private func deleteFinishedSegments() {
        spool.deleteSegments { id in id < segment && outstandingPerSegment[id] == nil }
    }

    /// Parses one record from the buffer; returns whether it did.
    private mutating func parseNext(into batches: inout [EventBatch]) -> Bool {
        let parsed = buffer.withUnsafeBytes { SpoolRecord.parse(UnsafeRawBufferPointer(rebasing: $0[consumed...])) }
        switch parsed {
        case .incomplete:
            return false
        case .damaged:
            // Only whole records written by this process or checked at start are read: the
            // file changed under us. Skip the rest of the segment.
            logger.error("A spool record failed its checksum; skipping the rest of its segment",
                         metadata: ["spool.segment": "\(Spool.name(of: segment))", "offset": "\(offset + consumed)"])
            let extent = spool.extent(of: segment)?.bytes ?? 0
            offset = max(extent, offset + buffer.count)
            buffer.removeAll(keepingCapacity: true)
            consumed = 0
            building = nil
            return false
        case .record(let record, let size):
            consumed += size
            switch record {
            case .hit(let sequence, let written):
                guard let written else { break }
                if building?.sequence != sequence {
                    if let building, !building.isEmpty {
                        logger.error("Spool hits without their seal are lost",
                                     metadata: ["batch.sequence": "\(building.sequence)", "events": "\(building.count)"])
                    }
                    // The id the hit was recorded under: a restart under another id must not
                    // make a batch the aggregator may have counted look new.
                    building = EventBatch(collector: written.collector, sequence: sequence)
                }
                let hit = written.hit(at: 0)
                if building!.canAppend(hit) { building!.append(hit) }
            case .seal(let sequence, let events, let reportsFates):
                var batch = building ?? EventBatch(collector: collector, sequence: sequence)
                building = nil
                if batch.sequence != sequence { batch = EventBatch(collector: collector, sequence: sequence) }
                batch.reportsFates = reportsFates
                if batch.count != events {
                    logger.error("A spooled batch holds fewer hits than its seal says",
                                 metadata: ["batch.sequence": "\(sequence)", "events": "\(batch.count)", "sealed": "\(events)"])
                }
                hand(batch, events: events, into: &batches)
            case .ack:
                break
            }
            return true
        }
    }

    /// Hands over a sealed batch of `events` events (as its seal says), unless it was
    /// acknowledged before the restart.
    private mutating func hand(_ batch: EventBatch, events: Int, into batches: inout [EventBatch]) {
        guard skip.remove(batch.sequence) == nil else { return }
        outstanding[batch.sequence] = (segment, events)
        outstandingPerSegment[segment, default: 0] += 1
        batches.append(batch)
    }

    /// Reads up to `count` more bytes of the segment into the buffer.
    private mutating func fill(upTo count: Int) -> Bool {
        if descriptor < 0 {
            let path = Spool.path(of: segment, in: spool.directory)
            do {
                descriptor = try systemCall("open \(path)") { open(path, O_RDONLY | O_CLOEXEC) }
            } catch {
                logger.error("Could not open a spool segment", metadata: ["spool.segment": "\(Spool.name(of: segment))", "error": "\(error)"])
                return false
            }
        }
        if consumed > 0 {
            offset += consumed
            buffer.removeFirst(consumed)
            consumed = 0
        }
        let start = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: count))
        let position = offset + start
        let result = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + start, count, off_t(position)) }
        buffer.removeLast(count - max(0, result))
        return result > 0
    }
}
