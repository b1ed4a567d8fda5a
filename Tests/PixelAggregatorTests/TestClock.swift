import Synchronization

/// A clock the test moves by hand, so windows can be checked at exact times.
final class TestClock: Sendable {
    private let time: Atomic<Int64>

    init(_ start: Int64 = 1_790_000_000_000) { time = Atomic(start) }

    var now: Int64 { time.load(ordering: .relaxed) }

    func advance(by milliseconds: Int64) { time.add(milliseconds, ordering: .relaxed) }

    var function: @Sendable () -> Int64 { { self.now } }
}
