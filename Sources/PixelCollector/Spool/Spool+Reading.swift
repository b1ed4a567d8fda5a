import Foundation
import Logging
import PixelSupport
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The forwarder's side of the spool: acknowledgements, what may be read, deletion of
/// finished segments, and flushing to disk.
extension Spool {
    /// Writes an ack record for a batch of `events` events.
    func appendAck(sequence: UInt64, events: Int) {
        state.withLock { state in
            state.buffer.removeAll(keepingCapacity: true)
            SpoolRecord.appendAck(sequence: sequence, to: &state.buffer)
            // Without the record the batch is sent again after a restart: a duplicate, not a loss.
            _ = appendBuffer(&state)
            state.pendingBatches -= 1
            state.pendingEvents -= events
        }
    }

    /// How far the reader may read segment `id` (the whole records of an older segment; the
    /// newest, up to its last seal), and the segment after it, if any.
    func extent(of id: UInt64) -> (bytes: Int, next: UInt64?)? {
        state.withLock { state in
            guard let index = state.segments.firstIndex(where: { $0.id == id }) else { return nil }
            guard index + 1 < state.segments.count else { return (state.segments[index].sealedEnd, nil) }
            return (state.segments[index].bytes, state.segments[index + 1].id)
        }
    }

    /// The oldest segment's id.
    var firstSegment: UInt64 {
        state.withLock { $0.segments[0].id }
    }

    /// Deletes the oldest segments while `isDone` says so of them; never the one written.
    func deleteSegments(while isDone: (UInt64) -> Bool) {
        state.withLock { state in
            while state.segments.count > 1, isDone(state.segments[0].id) {
                let segment = state.segments.removeFirst()
                unlink(Self.path(of: segment.id, in: directory))
                state.liveBytes -= segment.bytes
            }
        }
    }

    /// Bytes of the segments on disk.
    var liveBytes: Int {
        state.withLock { $0.liveBytes }
    }

    /// Batches sealed and not acknowledged, and their events.
    var pending: (batches: Int, events: Int) {
        state.withLock { ($0.pendingBatches, $0.pendingEvents) }
    }

    /// Whether records were written since the last ``sync()``.
    var needsSync: Bool {
        state.withLock { $0.unsynced || !$0.retired.isEmpty || $0.directoryUnsynced }
    }

    /// Flushes what was written to disk (`fdatasync`), outside the lock.
    func sync() {
        let (descriptors, directoryToo) = state.withLock { state in
            var descriptors = state.retired
            state.retired.removeAll()
            if state.unsynced { descriptors.append(dup(state.descriptor)) }
            state.unsynced = false
            defer { state.directoryUnsynced = false }
            return (descriptors, state.directoryUnsynced)
        }
        for descriptor in descriptors where descriptor >= 0 {
            do {
                try systemCall("fdatasync") { fdatasync(descriptor) }
            } catch {
                logger.error("Cannot flush the spool to disk", metadata: ["error": "\(error)"])
            }
            close(descriptor)
        }
        if directoryToo { FileIO.syncDirectory(directory.path) }
    }
}
