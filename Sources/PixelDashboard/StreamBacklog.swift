import Synchronization

/// The bytes one stream has been given and not yet written: the hub adds, the stream's
/// writer subtracts, and a stream whose backlog would pass the limit is closed as too slow.
final class StreamBacklog: Sendable {
    private let bytes = Atomic<Int>(0)

    var current: Int { bytes.load(ordering: .relaxed) }

    func add(_ count: Int) { bytes.add(count, ordering: .relaxed) }

    func written(_ count: Int) { bytes.subtract(count, ordering: .relaxed) }
}
