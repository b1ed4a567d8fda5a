import PixelPulseTesting
@testable import PixelCore

/// Drives a ``WindowStore`` and a ``ReferenceWindows`` through the same random stream: one to
/// four keys; clock steps small and large (jumps of minutes or hours), busy or quiet; events of
/// every kind, mostly near the newest time, some late, too late or early; and reads. The
/// caller checks what it likes at each read (`read`), each record (`recorded`: the store's
/// outcome and the reference's) and at the end (`finished`, after a read of every key and
/// window).
struct RandomWindowStream {
    let configuration: WindowConfiguration
    let seed: UInt64

    func run(
        read: (inout WindowStore, inout ReferenceWindows, _ key: Int, _ window: Int, _ note: String) -> Void,
        recorded: (_ outcome: WindowStore.Outcome, _ expected: WindowStore.Outcome) -> Void = { _, _ in },
        finished: (inout WindowStore, inout ReferenceWindows) -> Void = { _, _ in }
    ) {
        var rng = SplitMix64(seed: seed)
        let longest = configuration.windows.last!.length
        var store = WindowStore(configuration: configuration)
        var reference = ReferenceWindows(configuration: configuration)
        let keyCount = Int.random(in: 1...4, using: &rng)
        for _ in 0..<keyCount { _ = store.makeKey() }
        var clock = WindowStoreTests.t0 + Int64.random(in: 0..<3_600_000, using: &rng)
        store.advance(to: clock)
        reference.advance(to: clock)
        let busy = Bool.random(using: &rng)  // busy streams push keys into rings
        for _ in 0..<Int.random(in: 50...400, using: &rng) {
            switch Int.random(in: 0..<100, using: &rng) {
            case 0..<3:  // the clock jumps by minutes or hours: every window slides
                clock += Int64.random(in: 60_000...(3 * longest), using: &rng)
            case 3..<25:
                clock += Int64.random(in: 0...(busy ? 700 : 20_000), using: &rng)
            case 25..<40:  // reads, which also advance rings lazily
                read(&store, &reference, Int.random(in: 0..<keyCount, using: &rng),
                     Int.random(in: 0..<configuration.windows.count, using: &rng), "")
                continue
            default:
                let key = Int.random(in: 0..<keyCount, using: &rng)
                let kind = EventKind.allCases.randomElement(using: &rng)!
                let value = kind == .conversion ? UInt64.random(in: 0...(Bool.random(using: &rng) ? 500 : 1 << 40), using: &rng) : 0
                let count = UInt32(Int.random(in: 0..<50, using: &rng) == 0 ? Int.random(in: 1...100_000, using: &rng) : 1)
                // Mostly near the newest time; some late, out of order, too late or early.
                let offset: Int64 = switch Int.random(in: 0..<10, using: &rng) {
                case 0: -Int64.random(in: 0...(configuration.grace + 10_000), using: &rng)
                case 1: Int64.random(in: 0...(configuration.futureTolerance + 3000), using: &rng)
                default: -Int64.random(in: 0...3000, using: &rng)
                }
                let time = reference.now + offset
                let expected = reference.record(kind, value: value, count: count, at: time, key: key)
                recorded(store.record(kind, value: value, count: count, at: time, key: key), expected)
                continue
            }
            store.advance(to: clock)
            reference.advance(to: clock)
        }
        for key in 0..<keyCount {
            for window in configuration.windows.indices { read(&store, &reference, key, window, "final") }
        }
        finished(&store, &reference)
    }
}
