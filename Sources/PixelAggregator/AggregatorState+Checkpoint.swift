import PixelAlerts
import PixelCore

/// The state in a checkpoint: everything needed to go on counting as if never stopped.
extension AggregatorState {
    /// Writes everything needed to go on counting as if never stopped: the feed `seq`, the
    /// keys, each key's first sighting and windows, the event-id and batch de-duplication
    /// marks, the open alert incidents, the alerts firing, the segments (an empty table
    /// when they are off) and each campaign's hourly history. Not written: the statistics
    /// (they describe one run) and what is waiting to be published (recomputed).
    func encode(into writer: inout ByteWriter) {
        writer.write(seq)
        writer.write(UInt32(table.count))
        for key in table.keys {
            writer.write(string: key.campaign.rawValue)
            writer.write(string: key.pixel?.rawValue ?? "")
        }
        for time in firstSeen { writer.write(time) }
        store.encode(into: &writer)
        eventIDs.encode(into: &writer)
        batches.encode(into: &writer)
        alerts.encode(into: &writer)
        writer.write(UInt32(firing.count))
        for (alert, message) in firing.values.sorted(by: { $0.alert.fingerprint < $1.alert.fingerprint }) {
            alert.encode(into: &writer)
            writer.write(string: message.topic)
            writer.write(UInt32(message.body.count))
            writer.write(contentsOf: message.body)
        }
        if segments != nil {
            segments?.encode(into: &writer)
        } else {
            SegmentCounts(configuration: store.configuration, bound: 1).encode(into: &writer)
        }
        history.encode(into: &writer)
    }

    /// Reads a state written by ``encode(into:)``, or by an earlier release (`format`
    /// ``PixelCore/CheckpointFormat/version1`` or ``PixelCore/CheckpointFormat/version2``,
    /// without segments: they start empty). Every key that holds counts is published at
    /// the first tick; an alert whose rule is gone resolves then.
    init(
        decoding reader: inout ByteReader, format: CheckpointFormat, configuration: AggregatorConfiguration, now: Int64
    ) throws(CheckpointError) {
        self.init(configuration: configuration)
        do throws(WireError) {
            seq = try reader.read(UInt64.self, "seq")
            let keyCount = Int(try reader.read(UInt32.self, "key count"))
            for index in 0..<keyCount {
                let campaign = try reader.readString("campaign")
                let pixel = try reader.readString("pixel")
                var next = table.count
                // A campaign's rollup is made with its first pixel, just before it.
                if !pixel.isEmpty {
                    _ = table.makeKeys(campaign: campaign, pixel: pixel) { _ in
                        next += 1
                        return next - 1
                    }
                }
                guard table.count == index + 1 || pixel.isEmpty else { throw .countOutOfRange(field: "key", count: index) }
            }
            guard table.count == keyCount else { throw .countOutOfRange(field: "keys", count: keyCount) }
            grow(to: keyCount, now: now)
            for key in 0..<keyCount { firstSeen[key] = try reader.read(Int64.self, "first seen") }
        } catch {
            throw CheckpointError(error)
        }
        store = try WindowStore(decoding: &reader, configuration: configuration.windows, format: format)
        guard store.keyCount == table.count else {
            throw CheckpointError("holds windows for \(store.keyCount) keys but names \(table.count)")
        }
        // Uniques turned on since the checkpoint start from here; turned off, they are dropped.
        for key in 0..<table.count where table[key].pixel == nil { store.setCountingUniques(countsUniques, key: key) }
        do throws(WireError) {
            let (horizon, limit) = (configuration.eventIDHorizon, configuration.eventIDLimit)
            eventIDs = switch format {
            case .version1: try EventIDFilter(decodingVersion1: &reader, horizon: horizon, limit: limit)
            case .version2, .version3, .version4: try EventIDFilter(decoding: &reader, horizon: horizon, limit: limit)
            }
            batches = try RecentSequences(decoding: &reader)
            try alerts.restoreIncidents(decoding: &reader, keyCount: table.count)
            let firingCount = Int(try reader.read(UInt32.self, "firing count"))
            for _ in 0..<firingCount {
                let alert = try Alert(decoding: &reader, format: format)
                let topic = try reader.readString("alert topic")
                let body = Array(try reader.read(count: Int(try reader.read(UInt32.self, "alert body length")), "alert body"))
                firing[alert.fingerprint] = (alert, FeedMessage(topic: topic, body: body))
            }
        } catch {
            throw CheckpointError(error)
        }
        if format.rawValue >= CheckpointFormat.version3.rawValue {
            let restored = try SegmentCounts(
                decoding: &reader, configuration: configuration.windows, bound: configuration.segmentBound, format: format
            ) { table.nameID($0) }
            // Turned off since the checkpoint: dropped.
            if segments != nil { segments = consume restored }
        }
        // Before format 4, each campaign's history starts now.
        if format.rawValue >= CheckpointFormat.version4.rawValue {
            do throws(WireError) {
                history = try HourlyHistory(decoding: &reader)
            } catch {
                throw CheckpointError(error)
            }
            guard history.seriesCount == seriesOfKey.count(where: { $0 >= 0 }) else {
                throw CheckpointError("holds the hourly history of \(history.seriesCount) campaigns but names \(seriesOfKey.count { $0 >= 0 })")
            }
        }
        guard reader.remaining == 0 else { throw CheckpointError(WireError.trailingBytes(count: reader.remaining)) }
        let stillFiring = alerts.firingFingerprints
        for (fingerprint, entry) in firing where !stillFiring.contains(fingerprint) { alerts.resolve(entry.alert, now: now) }
        for key in 0..<table.count where !store.isIdle(key: key) { changes.markDirty(key) }
    }
}
