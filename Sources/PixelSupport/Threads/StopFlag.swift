import Synchronization

/// A request to stop, set from any thread and read by a worker thread's loop between polls.
public final class StopFlag: Sendable {
    private let flag = Atomic(false)

    public init() {}

    /// Asks the loop to stop.
    public func stop() { flag.store(true, ordering: .relaxed) }

    /// Whether ``stop()`` was called.
    public var isStopped: Bool { flag.load(ordering: .relaxed) }
}
