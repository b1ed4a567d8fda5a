import Foundation
import Logging
import PixelSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The start-up scan of a spool directory: reads every segment, oldest first, cuts off
/// what a crash tore or damage spoiled, and finds the batches still to send.
///
/// A record cut short, or failing its checksum, ends its segment's reading and is cut off
/// with everything after it (`truncate`): at the end of the newest segment that is a write
/// torn by a crash (logged as a warning); inside an older segment it is damage (logged as
/// an error naming the file), and hits of a batch whose seal was lost with it are lost.
struct SpoolScan {
    var segments: [Spool.Segment] = []
    /// Sealed batches, in order, with their event counts.
    var sealed: [(sequence: UInt64, events: Int)] = []
    var acknowledged: Set<UInt64> = []
    /// The batch whose hits follow the last seal of the newest segment: open at the crash.
    var openBatch: (sequence: UInt64, events: Int)?
    var highestSequence: UInt64?
    var recovery: SpoolRecovery

    init(directory: URL, logger: Logger) throws {
        recovery = SpoolRecovery(directory: directory.path)
        let ids = try Spool.naming.numbers(in: directory, as: UInt64.self)
        for (index, id) in ids.enumerated() {
            let name = Spool.name(of: id)
            let path = directory.appending(path: name).path
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            let (end, sealedEnd) = scan(data)
            let isNewest = index == ids.count - 1
            if end < data.count {
                try FileIO.cut(path, to: end)
                recovery.cutBytes += data.count - end
                if isNewest {
                    logger.warning(
                        "Cut off a spool record torn by a crash or damaged",
                        metadata: ["spool.segment": "\(name)", "bytes": "\(data.count - end)"])
                } else {
                    recovery.damagedSegments.append(name)
                    logger.error(
                        "A spool segment is damaged; read up to the damage, cut off the rest",
                        metadata: ["spool.segment": "\(name)", "offset": "\(end)", "bytes": "\(data.count - end)"])
                }
            }
            if !isNewest, let open = openBatch {
                // Batches never span segments: these hits lost their seal to damage.
                recovery.lostEvents += open.events
                logger.error(
                    "Lost hits whose batch seal was damaged",
                    metadata: ["spool.segment": "\(name)", "batch.sequence": "\(open.sequence)", "events": "\(open.events)"])
                openBatch = nil
            }
            segments.append(Spool.Segment(id: id, bytes: end, sealedEnd: sealedEnd))
        }
        recovery.segments = segments.count
    }

    /// Takes in the whole records at the start of `data`; returns where they end, and where
    /// the last seal record ends.
    private mutating func scan(_ data: Data) -> (end: Int, sealedEnd: Int) {
        data.withUnsafeBytes { bytes in
            var offset = 0
            var sealedEnd = 0
            while offset < bytes.count {
                guard case .record(let record, let size) = SpoolRecord.parse(UnsafeRawBufferPointer(rebasing: bytes[offset...]), decodingHits: false)
                else { break }
                take(record)
                offset += size
                if case .seal = record { sealedEnd = offset }
            }
            return (offset, sealedEnd)
        }
    }

    private mutating func take(_ record: SpoolRecord) {
        switch record {
        case .hit(let sequence, _):
            note(sequence)
            if let open = openBatch, open.sequence == sequence {
                openBatch = (sequence, open.events + 1)
            } else {
                if let open = openBatch { recovery.lostEvents += open.events }  // a seal is missing
                openBatch = (sequence, 1)
            }
        case .seal(let sequence, let events, _):
            note(sequence)
            sealed.append((sequence, events))
            openBatch = nil
        case .ack(let sequence):
            acknowledged.insert(sequence)
        }
    }

    private mutating func note(_ sequence: UInt64) {
        highestSequence = max(highestSequence ?? sequence, sequence)
    }
}
