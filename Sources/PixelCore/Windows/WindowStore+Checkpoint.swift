/// The store as checkpoint bytes, and back.
extension WindowStore {
    /// Writes the whole store: its settings, clocks and every key's windows, exactly as held.
    ///
    /// A dense key's totals and lanes are copied as they lie in memory (little-endian);
    /// see ``RingGeometry`` for the layout.
    package func encode(into writer: inout ByteWriter) {
        writer.write(UInt8(configuration.windows.count))
        for window in configuration.windows {
            writer.write(window.length)
            writer.write(window.step)
        }
        writer.write(configuration.grace)
        writer.write(configuration.futureTolerance)
        writer.write(now)
        writer.write(clock)
        writer.write(refusals.tooLate)
        writer.write(refusals.tooFarInFuture)
        writer.write(accepted)
        writer.write(epochUnit ?? .min)
        writer.write(UInt32(keys.count))
        for windows in keys {
            switch windows {
            case .empty:
                writer.write(UInt8(0))
            case .sparse(let events):
                writer.write(UInt8(1))
                writer.write(UInt8(events.count))
                for entry in events.all {
                    writer.write(entry.value)
                    writer.write(entry.unit)
                    writer.write(entry.count)
                    writer.write(entry.kind.rawValue)
                }
            case .dense(let rings):
                writer.write(UInt8(2))
                writer.write(rings.headUnit)
                writer.write(contentsOf: rings.widths(geometry))
                rings.withContents(geometry) { totals, lanes in
                    writer.write(contentsOf: totals)
                    writer.write(contentsOf: lanes)
                }
            }
        }
        for index in sketchOfKey { writer.write(UInt8(index >= 0 ? 1 : 0)) }
        for index in sketchOfKey where index >= 0 { sketches[Int(index)].encode(into: &writer) }
    }

    /// Reads a store written by ``encode(into:)`` under the same configuration, or by the
    /// release before (`format` ``CheckpointFormat/version1``: dense keys without the bots'
    /// totals and lane widths, which come last and are zero).
    ///
    /// - Throws: ``CheckpointError`` when the windows differ from `configuration`'s or the
    ///   bytes are not a store.
    package init(
        decoding reader: inout ByteReader, configuration: WindowConfiguration, format: CheckpointFormat = .current
    ) throws(CheckpointError) {
        self.init(configuration: configuration)
        do {
            let windowCount = Int(try reader.read(UInt8.self, "window count"))
            var windows: [(length: Int64, step: Int64)] = []
            for _ in 0..<windowCount {
                windows.append((try reader.read(Int64.self, "window length"), try reader.read(Int64.self, "window step")))
            }
            let grace = try reader.read(Int64.self, "grace")
            let tolerance = try reader.read(Int64.self, "future tolerance")
            guard windows.map(\.length) == configuration.windows.map(\.length),
                  windows.map(\.step) == configuration.windows.map(\.step),
                  grace == configuration.grace, tolerance == configuration.futureTolerance else {
                let written = windows.map { (try? WindowSpec(length: $0.length, step: $0.step))?.name ?? "\($0.length)ms" }.joined(separator: ",")
                throw CheckpointError("""
                    written with windows \(written) (grace \(grace / 1000) s), but the aggregator keeps \
                    \(configuration.windows.map(\.name).joined(separator: ",")) (grace \(configuration.grace / 1000) s)
                    """)
            }
            let now = try reader.read(Int64.self, "now")
            clock = try reader.read(Int64.self, "clock")
            refusals.tooLate = try reader.read(UInt64.self, "refusals")
            refusals.tooFarInFuture = try reader.read(UInt64.self, "refusals")
            accepted = try reader.read(UInt64.self, "accepted")
            let epoch = try reader.read(Int64.self, "epoch")
            epochUnit = epoch == .min ? nil : epoch
            if now > 0 { setNow(now) }
            let keyCount = Int(try reader.read(UInt32.self, "key count"))
            keys.reserveCapacity(keyCount)
            for _ in 0..<keyCount {
                // Appended as soon as made: the deinit frees whatever was read before an error.
                switch try reader.read(UInt8.self, "key kind") {
                case 0:
                    keys.append(.empty)
                case 1:
                    let count = Int(try reader.read(UInt8.self, "entry count"))
                    guard count <= SparseEvents.maxEntries, epochUnit != nil else {
                        throw CheckpointError("a quiet key holds \(count) entries")
                    }
                    let events = SparseEvents.allocate(capacity: max(count, 2))
                    keys.append(.sparse(events))
                    for _ in 0..<count {
                        let value = try reader.read(UInt64.self, "entry value")
                        let unit = try reader.read(UInt32.self, "entry unit")
                        let count = try reader.read(UInt16.self, "entry count")
                        let raw = try reader.read(UInt8.self, "entry kind")
                        guard let kind = EventKind(rawValue: raw) else { throw CheckpointError("unknown event kind \(raw)") }
                        _ = events.add(kind, count: UInt32(count), value: value, unit: unit)
                    }
                case 2:
                    let writtenLanes = geometry.laneCount(in: format)
                    let headUnit = try reader.read(Int64.self, "head unit")
                    var widths = Array(try reader.read(count: writtenLanes, "lane widths"))
                    guard widths.allSatisfy({ [0, 1, 2, 4, 8].contains($0) }) else {
                        throw CheckpointError("a lane width is not 0, 1, 2, 4 or 8 bytes")
                    }
                    widths += repeatElement(0, count: geometry.laneCount - writtenLanes)
                    let rings = DenseRings.allocate(widths: widths, headUnit: headUnit, geometry)
                    keys.append(.dense(rings))
                    let totals = try reader.read(count: writtenLanes * 8, "totals")
                    let lanes = try reader.read(count: geometry.byteCount(widths: widths) - geometry.lanesOffset, "lanes")
                    rings.withContents(geometry) { totalsTo, lanesTo in
                        UnsafeMutableRawBufferPointer(mutating: totalsTo).copyMemory(from: totals)
                        UnsafeMutableRawBufferPointer(mutating: lanesTo).copyMemory(from: lanes)
                    }
                case let tag:
                    throw CheckpointError("unknown key kind \(tag)")
                }
            }
            var counting: Int32 = 0
            for _ in 0..<keyCount {
                switch try reader.read(UInt8.self, "counts uniques") {
                case 0: sketchOfKey.append(-1)
                case 1:
                    sketchOfKey.append(counting)
                    counting += 1
                case let flag: throw CheckpointError("a key's unique-visitor flag is \(flag)")
                }
            }
            for _ in 0..<counting { sketches.append(try UniqueSketch(decoding: &reader)) }
        } catch let error as CheckpointError {
            throw error
        } catch let error as WireError {
            throw CheckpointError(error)
        } catch {
            throw CheckpointError("\(error)")
        }
    }
}
