/// Why a tracking link was refused (`400`, with the reason in one line of text, never a
/// redirect). The raw value is the `reason` label of
/// `pixelpulse_collector_link_refused_total`.
enum LinkRefusal: String, CaseIterable, Sendable, Error {
    /// The path under `/r/` is not exactly `{campaign}/{link}`.
    case malformedPath = "malformed_path"
    case invalidCampaign = "invalid_campaign"
    case invalidLink = "invalid_link"
    /// The query is longer than ``HitRequest/maxQueryLength``.
    case queryTooLong = "query_too_long"
    /// A byte outside printable ASCII in the query, a bad `%` escape, or `to`, `px` or
    /// `sig` given twice.
    case malformedQuery = "malformed_query"
    /// `to` is missing or not a URL a link may send to (see ``DestinationError``).
    case invalidDestination = "invalid_destination"
    /// `px` is not a set name under the identifier rules.
    case invalidPixelSet = "invalid_pixel_set"
    /// No `sig`, and no `--link-allow-hosts` to let an unsigned link through.
    case missingSignature = "missing_signature"
    /// No `sig`, and the destination's host is not in `--link-allow-hosts`.
    case destinationNotAllowed = "destination_not_allowed"
    /// A `px` without a `sig`: only a signed link fires pixels, whatever its host.
    case unsignedPixelSet = "unsigned_pixel_set"
    /// A `sig` that none of the link secrets made for this campaign, link, destination and
    /// pixel set.
    case badSignature = "bad_signature"

    /// The answer's text, without the destination's detail (see ``message(_:)``).
    var message: String {
        let sign = "(sign links with pixelpulse link)"
        return switch self {
        case .malformedPath: "tracking link refused: the path is not /r/{campaign}/{link}"
        case .invalidCampaign: "tracking link refused: the campaign id is not 1-64 of A-Z a-z 0-9 - _ ."
        case .invalidLink: "tracking link refused: the link id is not 1-64 of A-Z a-z 0-9 - _ ."
        case .queryTooLong: "tracking link refused: the query is over \(HitRequest.maxQueryLength) bytes"
        case .malformedQuery: "tracking link refused: the query holds a byte outside printable ASCII, a bad % escape, or to, px or sig twice"
        case .invalidDestination: "tracking link refused: the destination is not an absolute http:// or https:// URL"
        case .invalidPixelSet: "tracking link refused: the pixel set's name (px) is not 1-64 of A-Z a-z 0-9 - _ ."
        case .missingSignature: "tracking link refused: it has no signature \(sign)"
        case .destinationNotAllowed: "tracking link refused: it has no signature and its destination's host is not in --link-allow-hosts \(sign)"
        case .unsignedPixelSet: "tracking link refused: a link with a pixel set (px) must be signed \(sign)"
        case .badSignature: "tracking link refused: the signature does not match \(sign)"
        }
    }

    /// The answer's text for a destination refused for `problem`.
    static func message(_ problem: DestinationError) -> String {
        "tracking link refused: \(problem)"
    }
}
