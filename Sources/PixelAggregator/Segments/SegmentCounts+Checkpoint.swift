import PixelCore

/// The breakdowns in a checkpoint (format 3 on): each campaign's values and their keys,
/// then the windows. Published rows are not kept: every breakdown is published again at
/// the first tick.
extension SegmentCounts {
    func encode(into writer: inout ByteWriter) {
        let campaigns = groups.count / Self.dimensions
        writer.write(UInt32(campaigns))
        for campaign in 0..<campaigns {
            let first = campaign * Self.dimensions
            writer.write(UInt32(firstGroupOfRollup.firstIndex(of: Int32(first))!))
            writer.write(string: groups[first].campaign.rawValue)
            for group in groups[first..<(first + Self.dimensions)] {
                writer.write(UInt32(group.values.count))
                for value in group.values {
                    writer.write(string: value.name)
                    writer.write(UInt32(value.key))
                }
                writer.write(Int32(group.other ?? -1))
            }
        }
        store.encode(into: &writer)
    }

    /// Reads what ``encode(into:)`` wrote; `nameID` interns a channel or referrer name as
    /// the key table does.
    init(
        decoding reader: inout ByteReader, configuration: WindowConfiguration, bound: Int, format: CheckpointFormat,
        nameID: (String) -> UInt32
    ) throws(CheckpointError) {
        self.init(configuration: configuration, bound: bound)
        var used: [(group: Int, key: Int)] = []
        do throws(WireError) {
            let campaigns = Int(try reader.read(UInt32.self, "segment campaigns"))
            for _ in 0..<campaigns {
                let rollup = Int(try reader.read(UInt32.self, "segment rollup"))
                let campaign = try reader.readString("segment campaign")
                guard rollup >= firstGroupOfRollup.count || firstGroupOfRollup[rollup] < 0 else {
                    throw .countOutOfRange(field: "segment rollup", count: rollup)
                }
                let first = firstGroup(ofRollup: rollup) { campaign }
                for dimension in SegmentDimension.allCases {
                    let group = first + Int(dimension.rawValue)
                    for _ in 0..<Int(try reader.read(UInt32.self, "segment values")) {
                        let name = try reader.readString("segment value")
                        let key = Int(try reader.read(UInt32.self, "segment key"))
                        guard let id = Self.valueID(of: name, in: dimension, nameID: nameID) else {
                            throw .countOutOfRange(field: "segment value \(name)", count: key)
                        }
                        restore(group: group, id: id, name: name, key: key)
                        used.append((group, key))
                    }
                    let other = Int(try reader.read(Int32.self, "segment other"))
                    if other >= 0 {
                        restore(group: group, other: other)
                        used.append((group, other))
                    }
                }
            }
        } catch {
            throw CheckpointError(error)
        }
        try restoreStore(decoding: &reader, configuration: configuration, format: format, used: used)
    }
}
