import Foundation

/// The parsed body of the `snapshot/end/` message that closes a snapshot reply.
public struct SnapshotEnd: Sendable, Hashable, Decodable {
    /// The feed's `seq` when the snapshot began: only updates above it are newer.
    public var seq: UInt64
    public var time: Int64
    public var startedAt: Int64
    public var prefix: String?
    /// How many stats messages preceded the marker.
    public var count: Int
    /// Set when the request was refused.
    public var error: String?

    /// Parses a JSON end-marker body; `nil` when it is not one.
    public init?(json body: [UInt8]) {
        guard let end = try? JSONDecoder().decode(SnapshotEnd.self, from: Data(body)) else { return nil }
        self = end
    }
}
