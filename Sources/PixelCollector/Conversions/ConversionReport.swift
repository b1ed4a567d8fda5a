import NIOHTTP1
import PixelCore

/// What became of each item of a conversion report, and the answer that says so.
///
/// Fates, in the items' order: `accepted` (counted), `duplicate` (its event id was counted
/// before in the same campaign, within the aggregator's horizon), `invalid` (with the
/// reason; never sent), `pending` (stored and on its way, but the aggregator did not
/// confirm it in time: it will be counted once, or found a duplicate — report it again
/// to learn which), `failed` (not stored: the collector's queue or spool refused it; send
/// it again).
struct ConversionReport: Equatable, Sendable {
    enum Fate: Equatable, Sendable {
        case accepted
        case duplicate
        case invalid(ConversionRefusal)
        case pending
        case failed(String)

        var name: String {
            switch self {
            case .accepted: "accepted"
            case .duplicate: "duplicate"
            case .invalid: "invalid"
            case .pending: "pending"
            case .failed: "failed"
            }
        }
    }

    var fates: [Fate]

    /// The fate of an item the aggregator answered for.
    static func fate(_ fate: EventFate) -> Fate {
        switch fate {
        case .counted: .accepted
        case .duplicate: .duplicate
        case .tooLate:
            .invalid(ConversionRefusal(.tooLate, "time is older than the aggregator's windows and grace period: too late to count"))
        case .tooFarInFuture:
            .invalid(ConversionRefusal(.tooFarInFuture, "time is ahead of the aggregator's clock"))
        }
    }

    /// `200` once every item's fate is known, `202` while some are pending, `503` when none
    /// could be stored.
    var status: HTTPResponseStatus {
        if fates.contains(.pending) { return .accepted }
        if !fates.isEmpty, fates.allSatisfy({ if case .failed = $0 { true } else { false } }) { return .serviceUnavailable }
        return .ok
    }

    /// `{"accepted":N,"duplicate":N,"invalid":N,"pending":N,"failed":N,"items":[{"status":…}, …]}`;
    /// an invalid item also has `reason` and `error`, a failed one `error`.
    func json() -> [UInt8] {
        var writer = JSONWriter(capacity: 64 + fates.count * 32)
        writer.beginObject()
        var counts: [String: Int] = [:]
        for fate in fates { counts[fate.name, default: 0] += 1 }
        writer.member("accepted", counts["accepted"] ?? 0)
        writer.member("duplicate", counts["duplicate"] ?? 0)
        writer.member("invalid", counts["invalid"] ?? 0)
        writer.member("pending", counts["pending"] ?? 0)
        writer.member("failed", counts["failed"] ?? 0)
        writer.beginArray("items")
        for fate in fates {
            writer.beginObject()
            writer.member("status", fate.name)
            switch fate {
            case .invalid(let refusal):
                writer.member("reason", refusal.reason.rawValue)
                writer.member("error", refusal.message)
            case .failed(let message):
                writer.member("error", message)
            case .accepted, .duplicate, .pending:
                break
            }
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return writer.bytes + [UInt8(ascii: "\n")]
    }
}
