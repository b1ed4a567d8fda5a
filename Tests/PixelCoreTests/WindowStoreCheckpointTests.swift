@testable import PixelCore
import PixelPulseTesting
import Testing

/// A store written to bytes and read back goes on exactly like the original: same counts
/// in every window, now and as the windows slide, for quiet and busy keys alike.
@Suite struct WindowStoreCheckpointTests {
    static func copy(_ store: borrowing WindowStore) throws(CheckpointError) -> WindowStore {
        var writer = ByteWriter()
        store.encode(into: &writer)
        // A store is not copyable, so it cannot come out of `withUnsafeBytes`.
        let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: writer.bytes.count, alignment: 8)
        defer { bytes.deallocate() }
        bytes.copyBytes(from: writer.bytes)
        var reader = ByteReader(UnsafeRawBufferPointer(bytes))
        let copy = try WindowStore(decoding: &reader, configuration: store.configuration)
        guard reader.remaining == 0 else { throw CheckpointError("\(reader.remaining) bytes left over") }
        return copy
    }

    @Test(arguments: WindowStoreTests.configurations.indices)
    func aRestoredStoreGoesOnExactlyLikeTheOriginal(_ configurationIndex: Int) throws {
        let configuration = WindowStoreTests.configurations[configurationIndex]
        var rng = SplitMix64(seed: 42 &+ UInt64(configurationIndex))
        var original = WindowStore(configuration: configuration)
        let keys = (0..<40).map { original.makeKey(countingUniques: $0 % 3 == 0) }
        let longest = configuration.windows.last!.length
        var time = WindowStoreTests.t0
        // Busy keys (rings, wide lanes), quiet keys (short lists), late events, conversions
        // with values, bots, a third of the keys counting visitors; then a restore in the
        // middle of it.
        func step(_ store: inout WindowStore, _ rng: inout SplitMix64, time: Int64) {
            store.advance(to: time)
            let busy = Int.random(in: 0..<60, using: &rng)
            for event in 0...busy {
                // Keys 0..<20 are busy (rings); 20..<40 get a rare event (short lists).
                let key = event < busy ? keys[Int(rng.next() % 20)] : rng.next() % 6 == 0 ? keys[20 + Int(rng.next() % 20)] : nil
                guard let key else { continue }
                let kind = EventKind(rawValue: UInt8(rng.next() % 4))!
                let late = Int64(rng.next() % UInt64(max(1, configuration.grace / 4) + 1))
                store.record(kind, value: kind == .conversion ? rng.next() % 100_000 : 0,
                             count: UInt32(1 + rng.next() % 300), visitor: rng.next() % 4000, at: time - late, key: key)
            }
        }
        for _ in 0..<400 {
            time += Int64(rng.next() % UInt64(longest / 50))
            step(&original, &rng, time: time)
        }
        var restored = try Self.copy(original)
        #expect(restored.now == original.now && restored.clock == original.clock)
        #expect(restored.accepted == original.accepted && restored.refusals == original.refusals)
        var twin = rng
        for round in 0..<300 {
            time += Int64(rng.next() % UInt64(longest / 40))
            _ = twin.next()
            twin = rng
            step(&original, &rng, time: time)
            step(&restored, &twin, time: time)
            for key in keys where round % 7 == 0 || key % 5 == 0 {
                #expect(restored.counts(key: key) == original.counts(key: key), "key \(key), round \(round)")
            }
        }
        // Everything ages out the same way.
        time += 2 * longest
        original.advance(to: time)
        restored.advance(to: time)
        for key in keys { #expect(restored.isIdle(key: key) && original.isIdle(key: key)) }
    }

    @Test func otherWindowsAreRefusedByName() throws {
        var store = WindowStore()
        store.advance(to: WindowStoreTests.t0)
        store.record(.view, at: WindowStoreTests.t0, key: store.makeKey())
        var writer = ByteWriter()
        store.encode(into: &writer)
        let other = WindowStoreTests.configurations[1]
        let error = writer.bytes.withUnsafeBytes { bytes -> CheckpointError? in
            var reader = ByteReader(bytes)
            do {
                _ = try WindowStore(decoding: &reader, configuration: other)
                return nil
            } catch let error as CheckpointError {
                return error
            } catch {
                return nil
            }
        }
        #expect(error?.description == "written with windows 1m,5m,15m,1h (grace 3600 s), but the aggregator keeps 1m,2m (grace 30 s)")
    }

    @Test func aStoreCutShortOrWithADamagedSketchIsRefused() {
        var store = WindowStore()
        store.advance(to: WindowStoreTests.t0)
        let key = store.makeKey(countingUniques: true)
        for index in 0..<200 { store.record(.view, visitor: UInt64(index), at: WindowStoreTests.t0 - Int64(index) * 1000, key: key) }
        var writer = ByteWriter()
        store.encode(into: &writer)
        func refused(_ bytes: [UInt8]) -> Bool {
            bytes.withUnsafeBytes { bytes in
                var reader = ByteReader(bytes)
                return (try? WindowStore(decoding: &reader, configuration: .standard)) == nil
            }
        }
        let whole = refused(writer.bytes)
        #expect(!whole)
        for cut in [1, 9, 100, writer.bytes.count - 900, writer.bytes.count - 1] {
            let short = refused(Array(writer.bytes.prefix(cut)))
            #expect(short, "cut at \(cut)")
        }
        // The sketch ends the store: a pair count (u32), then the pairs (u64, the register in
        // bits 40–51). Setting bit 52 puts the first pair in register 4096 and more.
        let bytes = writer.bytes
        let pairs = (1...2048).first { n in
            bytes.count - n * 8 - 4 >= 0 && bytes[(bytes.count - n * 8 - 4)...].prefix(4).reversed().reduce(0) { $0 << 8 | Int($1) } == n
        }
        var damaged = bytes
        damaged[bytes.count - pairs! * 8 + 6] |= 0x10
        let isRefused = refused(damaged)
        #expect(isRefused)
    }
}
