import Synchronization

/// Set from the consumer's side when the stream ends; read by the socket thread.
final class StopFlag: Sendable {
    private let flag = Atomic(false)
    func stop() { flag.store(true, ordering: .relaxed) }
    var isStopped: Bool { flag.load(ordering: .relaxed) }
}
