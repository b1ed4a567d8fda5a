import Foundation

/// The body of the `snapshot/end/` message that closes every snapshot reply.
///
/// ```json
/// {"type":"snapshotEnd","seq":4812,"time":1790000000250,"startedAt":1789999000000,
///  "prefix":"stats/spring-sale/","count":11}
/// ```
///
/// `seq` is the feed's `seq` when the snapshot began (`S`): a client applies only live
/// updates above it (and above each key's own `seq`). `startedAt` identifies the
/// aggregator's run, as in the heartbeat. A refused request gets `count` 0, `seq` 0, an
/// `error` member, and `prefix` `null` when it was not valid UTF-8.
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

    public init(seq: UInt64, time: Int64, startedAt: Int64, prefix: String?, count: Int, error: String? = nil) {
        self.seq = seq
        self.time = time
        self.startedAt = startedAt
        self.prefix = prefix
        self.count = count
        self.error = error
    }

    /// Parses a JSON end-marker body; `nil` when it is not one.
    public init?(json body: [UInt8]) {
        guard let end = try? JSONDecoder().decode(SnapshotEnd.self, from: Data(body)) else { return nil }
        self = end
    }

    /// The JSON body; `error` is present only for a refused request.
    public func encoded() -> [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        json.member("type", "snapshotEnd")
        json.member("seq", seq)
        json.member("time", time)
        json.member("startedAt", startedAt)
        json.member("prefix", prefix)
        json.member("count", count)
        if let error { json.member("error", error) }
        json.endObject()
        return json.bytes
    }
}
