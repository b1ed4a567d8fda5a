/// Why a pixel or beacon request was answered but not counted, or a CORS preflight was
/// refused (so the browser never sent the request it announced).
///
/// The raw value is the `reason` label of `pixelpulse_collector_rejected_total`.
enum RejectReason: String, CaseIterable, Sendable {
    /// The campaign segment breaks the identifier rules (1–64 bytes of `A-Z a-z 0-9 - _ .`).
    case invalidCampaign = "invalid_campaign"
    /// The pixel segment breaks the identifier rules.
    case invalidPixel = "invalid_pixel"
    /// `e=` is not `view`, `click` or `conversion`.
    case unknownKind = "unknown_kind"
    /// `v=` on a conversion is not 1–13 decimal digits at most `HitEvent.maxValue`.
    case invalidValue = "invalid_value"
    /// `id=` is empty or longer than 128 bytes once decoded.
    case invalidEventID = "invalid_event_id"
    /// A byte outside printable ASCII in the query, a bad `%` escape, or an `id=` that is
    /// not UTF-8 once decoded.
    case malformedQuery = "malformed_query"
    /// The query is longer than ``HitRequest/maxQueryLength``.
    case queryTooLong = "query_too_long"
    /// The path under `/p/` is not exactly two segments.
    case malformedPath = "malformed_path"
    /// An image request whose last segment does not end in `.gif`.
    case missingGIF = "missing_gif"
    /// A beacon body over the limit (the request is answered `413`).
    case bodyTooLarge = "body_too_large"
    /// A preflight from an origin that ``AllowedOrigins`` does not allow (answered `403`).
    case corsOrigin = "cors_origin"
    /// A preflight asking for a method other than `GET`, `HEAD` or `POST` (`403`).
    case corsMethod = "cors_method"
    /// A preflight asking for a request header other than `Content-Type` (`403`).
    case corsHeaders = "cors_headers"
}
