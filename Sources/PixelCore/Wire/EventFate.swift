/// What the aggregator did with one event of a batch, reported in the acknowledgement of
/// a batch that asks for it (``EventBatch/reportsFates``). The raw values are the wire's.
public enum EventFate: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// Counted into the windows.
    case counted = 0
    /// Not counted: its event id was seen in the same campaign within the de-duplication
    /// horizon.
    case duplicate = 1
    /// Not counted: older than the grace period allows.
    case tooLate = 2
    /// Not counted: stamped further ahead of the aggregator's clock than it tolerates.
    case tooFarInFuture = 3

    /// The name used in JSON: `counted`, `duplicate`, `too_late`, `too_far_in_future`.
    public var name: String {
        switch self {
        case .counted: "counted"
        case .duplicate: "duplicate"
        case .tooLate: "too_late"
        case .tooFarInFuture: "too_far_in_future"
        }
    }

    public var description: String { name }
}
