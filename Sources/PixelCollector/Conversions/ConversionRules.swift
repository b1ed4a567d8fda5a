import Foundation
import PixelCore

/// Checks a reported conversion and turns it into the hit to count.
///
/// The rules, checked in this order; the first failure is the item's reason:
///
/// - **Where it counts** (`target`): `click_id`, a click id from a tracking link (the
///   conversion counts for the campaign and link that were clicked), or `campaign` and
///   `pixel`; not both.
/// - `click_id` must verify under the collector's link secrets (`click_id`); `campaign`
///   and `pixel` must be ids (`campaign`, `pixel`).
/// - `event_id`: required, 1–128 bytes of text (`event_id`).
/// - `value`: optional, an integer of minor units 0…10¹², or such an integer as text
///   (`value`).
/// - `currency`: optional, three capital letters (ISO 4217), and the collector's own when
///   it has one (`currency`).
/// - `time`: optional (default: now), ms since the Unix epoch (an integer or digits), or an
///   RFC 3339 time; at most ``maxAge`` ago and ``maxAhead`` ahead (`time`).
public struct ConversionRules: Sendable {
    /// The campaign and link a valid click id names; a one-line reason otherwise.
    typealias ClickIDCheck = @Sendable (String) -> Result<(campaign: CampaignID, link: PixelID), ConversionRefusal>

    /// The currency values are counted in, if the collector has one.
    var currency: String?
    /// The oldest `time` taken, in ms before now.
    var maxAge: Int64 = 7 * 86_400_000
    /// The furthest `time` ahead of the collector's clock, in ms.
    var maxAhead: Int64 = 300_000
    var checkClickID: ClickIDCheck

    /// Verifies click ids with the link secrets in force, so a rotation applies at once.
    static func checkClickID(with links: LinkSettings) -> ClickIDCheck {
        { token in
            do throws(ClickIDError) {
                let click = try ClickID(token: token, keys: links.keys)
                return .success((click.campaign, click.link))
            } catch {
                return .failure(ConversionRefusal(.clickID, "\(error)"))
            }
        }
    }

    /// The hit for `item` at clock time `now` (ms), or why it is refused.
    func hit(for item: ConversionItem, now: Int64) -> Result<HitEvent, ConversionRefusal> {
        guard item.isObject else { return .failure(.init(.item, "an item must be a JSON object")) }
        let campaign: CampaignID
        let pixel: PixelID
        switch (item["click_id"], item["campaign"], item["pixel"]) {
        case (.some(let clickID), nil, nil):
            guard case .text(let token) = clickID else { return .failure(.init(.clickID, "click_id must be text")) }
            switch checkClickID(token) {
            case .success(let click): (campaign, pixel) = (click.campaign, click.link)
            case .failure(let refusal): return .failure(refusal)
            }
        case (nil, .some(let campaignField), .some(let pixelField)):
            guard case .text(let campaignText) = campaignField, let id = CampaignID(rawValue: campaignText) else {
                return .failure(.init(.campaign, "campaign must be an id of 1–64 characters A-Z a-z 0-9 - _ ."))
            }
            guard case .text(let pixelText) = pixelField, let pixelID = PixelID(rawValue: pixelText) else {
                return .failure(.init(.pixel, "pixel must be an id of 1–64 characters A-Z a-z 0-9 - _ ."))
            }
            (campaign, pixel) = (id, pixelID)
        case (.some, _, _):
            return .failure(.init(.target, "give click_id, or campaign and pixel, not both"))
        default:
            return .failure(.init(.target, "give click_id, or campaign and pixel"))
        }
        guard case .text(let eventText) = item["event_id"] ?? .other, let eventID = EventID(text: eventText) else {
            return .failure(.init(.eventID, "event_id is required: text of 1–\(EventID.maxTextLength) bytes"))
        }
        var value: UInt64?
        if let field = item["value"] {
            guard let parsed = Self.integer(field), parsed >= 0, UInt64(parsed) <= HitEvent.maxValue else {
                return .failure(.init(.value, "value must be an integer of minor units (cents), 0…10¹²"))
            }
            value = UInt64(parsed)
        }
        if let field = item["currency"] {
            guard case .text(let code) = field, Self.isCurrencyCode(code) else {
                return .failure(.init(.currency, "currency must be three capital letters (ISO 4217)"))
            }
            if let currency, code != currency {
                return .failure(.init(.currency, "currency \(code): this collector counts values in \(currency) (--currency); convert before reporting"))
            }
        }
        var time = now
        if let field = item["time"] {
            guard let parsed = Self.time(field) else {
                return .failure(.init(.time, "time must be ms since the Unix epoch or an RFC 3339 time"))
            }
            guard parsed >= now - maxAge else {
                return .failure(.init(.time, "time is more than \(maxAge / 86_400_000) days ago"))
            }
            guard parsed <= now + maxAhead else {
                return .failure(.init(.time, "time is more than \(maxAhead / 60_000) minutes ahead of the collector's clock"))
            }
            time = parsed
        }
        return .success(HitEvent(time: time, kind: .conversion, campaign: campaign, pixel: pixel, value: value, eventID: eventID))
    }

    /// Whether `code` has the shape of an ISO 4217 currency code: three capital letters.
    public static func isCurrencyCode(_ code: String) -> Bool {
        code.utf8.count == 3 && code.utf8.allSatisfy { $0 &- 65 < 26 }
    }

    /// An integer, or text of 1–19 decimal digits.
    private static func integer(_ field: ConversionItem.Field) -> Int64? {
        switch field {
        case .integer(let value): value
        case .text(let text) where text.utf8.count <= 19 && text.utf8.allSatisfy({ $0 &- 48 < 10 }): Int64(text)
        default: nil
        }
    }

    /// ms since the Unix epoch, from an integer, digits, or RFC 3339 text.
    private static func time(_ field: ConversionItem.Field) -> Int64? {
        if let ms = integer(field) { return ms }
        guard case .text(let text) = field else { return nil }
        for style in [Date.ISO8601FormatStyle(includingFractionalSeconds: true), Date.ISO8601FormatStyle()] {
            if let date = try? style.parse(text) { return Int64((date.timeIntervalSince1970 * 1000).rounded()) }
        }
        return nil
    }
}

/// Why a reported conversion was not counted: the `reason` label of
/// `pixelpulse_collector_conversions_invalid_total`, and a one-line message for the reporter.
struct ConversionRefusal: Error, Equatable, Sendable {
    enum Reason: String, CaseIterable, Sendable {
        case item, target, campaign, pixel, eventID = "event_id", value, currency, time
        case clickID = "click_id"
        /// The aggregator's verdicts.
        case tooLate = "too_late", tooFarInFuture = "too_far_in_future"
    }

    let reason: Reason
    let message: String

    init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }
}
