/// The JSON body of the `snapshot/end/` message that closes every snapshot reply.
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
public enum SnapshotEndBody {
    /// Encodes a body; `error` is set for a refused request.
    public static func encode(
        seq: UInt64, time: Int64, startedAt: Int64, prefix: String?, count: Int, error: String? = nil
    ) -> [UInt8] {
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
