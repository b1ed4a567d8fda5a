import Foundation

/// Reads the conversions of a request: the JSON body of `POST /v1/conversions`, or the
/// query of `GET /v1/postback`.
enum ConversionRequest {
    /// The largest body read; a larger one is answered `413`.
    static let maxBodyBytes = 1 << 20
    /// The most items in one body.
    static let maxItems = 1000
    /// The longest postback query, in bytes.
    static let maxQueryLength = 4096

    /// Why a whole request was refused, before any item was looked at: the `reason` label of
    /// `pixelpulse_collector_conversion_requests_refused_total`, and the one-line answer.
    struct Refusal: Error, Equatable, Sendable {
        enum Reason: String, CaseIterable, Sendable {
            case unauthorized, noTokens = "no_tokens", malformedJSON = "malformed_json", tooManyItems = "too_many_items"
            case bodyTooLarge = "body_too_large", malformedQuery = "malformed_query"
        }

        let reason: Reason
        let message: String
    }

    /// The items of a body `{"conversions": [item, …]}` (other members are ignored).
    static func items(json: [UInt8]) -> Result<[ConversionItem], Refusal> {
        struct Body: Decodable { let conversions: [ConversionItem] }
        let body: Body
        do {
            body = try JSONDecoder().decode(Body.self, from: Data(json))
        } catch {
            return .failure(Refusal(
                reason: .malformedJSON,
                message: "the body must be JSON: {\"conversions\": [{\"event_id\": …, \"click_id\": …}, …]}"))
        }
        guard body.conversions.count <= maxItems else {
            return .failure(Refusal(
                reason: .tooManyItems, message: "\(body.conversions.count) conversions; at most \(maxItems) per request"))
        }
        return .success(body.conversions)
    }

    /// The item and the `token` of a postback query: each parameter of
    /// ``ConversionItem/names``, percent-decoded, as text; an empty one counts as absent
    /// (a network's macro with nothing to fill in).
    static func postback(target: String) -> Result<(item: ConversionItem, token: String?), Refusal> {
        let malformed = Refusal(
            reason: .malformedQuery, message: "the query must be key=value pairs of URL-encoded UTF-8, at most \(maxQueryLength) bytes")
        var target = target
        return target.withUTF8 { bytes in
            guard let question = bytes.firstIndex(of: UInt8(ascii: "?")) else { return .success((ConversionItem(), nil)) }
            let end = bytes[question...].firstIndex(of: UInt8(ascii: "#")) ?? bytes.endIndex
            let query = bytes[(question + 1)..<end]
            guard query.count <= maxQueryLength else { return .failure(malformed) }
            var item = ConversionItem()
            var token: String?
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maxQueryLength) { buffer in
                for pair in query.split(separator: UInt8(ascii: "&")) {
                    let equals = pair.firstIndex(of: UInt8(ascii: "=")) ?? pair.endIndex
                    let key = String(decoding: pair[..<equals], as: UTF8.self)
                    guard key == "token" || ConversionItem.names.contains(key) else { continue }
                    guard case .decoded(let count) = PercentDecoding.decode(pair[min(equals + 1, pair.endIndex)...], into: buffer),
                          let value = String(validating: UnsafeBufferPointer(rebasing: buffer[0..<count]), as: UTF8.self)
                    else { return .failure(malformed) }
                    guard !value.isEmpty else { continue }
                    if key == "token" { token = value } else { item.fields[key] = .text(value) }
                }
                return .success((item, token))
            }
        }
    }
}
