/// The remembered ids as checkpoint bytes, and back.
extension EventIDFilter {
    /// Writes the clock's minute (i64), the number of ids remembered (u64), then their
    /// words (u64 each), in no particular order.
    package func encode(into writer: inout ByteWriter) {
        writer.write(minute)
        writer.write(UInt64(count))
        var written = 0
        for word in words where word != 0 && Self.age(word, at: minute) <= horizonMinutes {
            writer.write(word)
            written += 1
        }
        assert(written == count, "\(written) words written for \(count) ids remembered")
    }

    /// Reads ids written by ``encode(into:)``. With a shorter horizon than they were written
    /// under, those past it are forgotten; with a lower limit, the oldest.
    package init(decoding reader: inout ByteReader, horizon: Int64, limit: Int) throws(WireError) {
        let minute = try reader.read(Int64.self, "event id minute")
        let count = try reader.read(UInt64.self, "event id count")
        guard minute >= 0, count <= UInt64(reader.remaining / 8) else {
            throw .countOutOfRange(field: "event ids", count: Int(clamping: count))
        }
        var words: [UInt64] = []
        words.reserveCapacity(Int(count))
        for _ in 0..<count { words.append(try reader.read(UInt64.self, "event id")) }
        self.init(remembering: words, at: minute, horizon: horizon, limit: limit)
    }

    /// Reads the ids of a checkpoint of format 1: a generation start (i64 ms, `Int64.min`
    /// for none), then two sets (the current generation and the one before) of u32 count
    /// and u64 keys. Each id is stamped with the generation start: remembered for the
    /// horizon from then.
    package init(decodingVersion1 reader: inout ByteReader, horizon: Int64, limit: Int) throws(WireError) {
        let start = try reader.read(Int64.self, "event id generation")
        var words: [UInt64] = []
        for _ in 0..<2 {
            let count = Int(try reader.read(UInt32.self, "event id count"))
            guard count <= reader.remaining / 8 else { throw .countOutOfRange(field: "event ids", count: count) }
            words.reserveCapacity(words.count + count)
            for _ in 0..<count { words.append(Self.tag(of: try reader.read(UInt64.self, "event id"))) }
        }
        guard start != .min || words.isEmpty else { throw .countOutOfRange(field: "event ids", count: words.count) }
        let minute = max(start, 0) / 60_000
        self.init(remembering: words.map { $0 | UInt64(minute) & Self.stampMask }, at: minute, horizon: horizon, limit: limit)
    }

    /// A filter at clock minute `minute` holding those of `words` still within the horizon.
    private init(remembering words: [UInt64], at minute: Int64, horizon: Int64, limit: Int) {
        self.init(horizon: horizon, limit: limit)
        self.minute = minute
        lastSweep = minute
        self.words = words.filter { $0 & ~Self.stampMask != 0 }  // a word without a tag is no id
        for word in self.words where Self.age(word, at: minute) <= horizonMinutes {
            perMinute[bucket(minute - Self.age(word, at: minute))] += 1
            count += 1
        }
        // Filled to 8/15, as after a sweep that grows.
        rebuild(capacity: max(Self.initialCapacity, count * 15 / 8), keepingAgesBelow: horizonMinutes + 1)
        while count > limit { forgetOldest() }
    }
}
