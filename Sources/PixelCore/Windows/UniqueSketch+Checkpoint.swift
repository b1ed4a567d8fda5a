/// The sketch as checkpoint bytes, and back.
extension UniqueSketch {
    /// Writes the pairs as held: the list while sparse, every slot while dense.
    func encode(into writer: inout ByteWriter) {
        writer.write(base)
        writer.write(UInt8(slots))
        if slots == 0 {
            writer.write(UInt32(sparse.count))
            for pair in sparse { writer.write(pair) }
        } else {
            for pair in dense { writer.write(pair) }
        }
    }

    /// Reads a sketch written by ``encode(into:)``.
    ///
    /// - Throws: ``CheckpointError`` when the bytes are short, or the pairs are out of order or
    ///   out of range.
    init(decoding reader: inout ByteReader) throws(CheckpointError) {
        do throws(WireError) {
            base = try reader.read(UInt32.self, "sketch base")
            slots = Int(try reader.read(UInt8.self, "sketch slots"))
            if slots == 0 {
                let count = Int(try reader.read(UInt32.self, "sketch pairs"))
                guard count <= Self.denseThreshold else { throw .countOutOfRange(field: "sketch pairs", count: count) }
                sparse = try (0..<count).map { _ throws(WireError) in try reader.read(UInt64.self, "sketch pair") }
            } else {
                guard [4, 8, 16, 32, 64].contains(slots) else { throw .countOutOfRange(field: "sketch slots", count: slots) }
                dense = try (0..<Self.registerCount * slots).map { _ throws(WireError) in try reader.read(UInt32.self, "sketch pair") }
            }
        } catch {
            throw CheckpointError(error)
        }
        let inRange = slots == 0
            ? zip(sparse, sparse.dropFirst()).allSatisfy { $0 < $1 }
                && sparse.allSatisfy { $0 >> 32 < Self.registerCount && Self.isRank(Self.rank(of: UInt32(truncatingIfNeeded: $0))) }
            : dense.allSatisfy { $0 == 0 || Self.isRank(Self.rank(of: $0)) }
        guard inRange else { throw CheckpointError("a unique-visitor sketch is out of order or out of range") }
    }

    private static func isRank(_ rank: UInt8) -> Bool { (1...UInt8(64 - precision + 1)).contains(rank) }
}
