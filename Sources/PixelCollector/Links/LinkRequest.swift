import PixelCore

/// What a request under `/r/` asks for, parsed and checked, not yet authorised (see
/// ``LinkSettings/authorize(_:)``).
///
/// The rules, in this order; the first failure names the ``LinkRefusal``:
///
/// 1. **Path.** After `/r/` come exactly `{campaign}/{link}`, taken verbatim and each under
///    PixelCore's identifier rules (as ``HitRequest`` takes a pixel's).
/// 2. **Query.** At most ``HitRequest/maxQueryLength`` bytes of printable ASCII;
///    `&`-separated `key=value` pairs with values percent-decoded as a pixel's are; `to`,
///    `px` and `sig` at most once each; other parameters ignored.
/// 3. **`to`**, once decoded, a ``Destination``; **`px`**, if given, a ``PixelSetName``.
struct LinkRequest: Sendable {
    var link: TrackingLink
    /// `sig`, as given.
    var signature: String?

    enum Parsed {
        case link(LinkRequest)
        /// With the destination's problem when the reason is
        /// ``LinkRefusal/invalidDestination``.
        case refused(LinkRefusal, DestinationError?)
    }

    /// Parses a request target that ``Route`` sent to ``Route/link``.
    static func parse(target: String) -> Parsed {
        var target = target
        return target.withUTF8 { parse(bytes: $0) }
    }

    private static func parse(bytes: UnsafeBufferPointer<UInt8>) -> Parsed {
        var pathEnd = 0
        while pathEnd < bytes.count, bytes[pathEnd] != UInt8(ascii: "?"), bytes[pathEnd] != UInt8(ascii: "#") { pathEnd += 1 }
        var queryEnd = pathEnd
        if pathEnd < bytes.count, bytes[pathEnd] == UInt8(ascii: "?") {
            queryEnd = pathEnd + 1
            while queryEnd < bytes.count, bytes[queryEnd] != UInt8(ascii: "#") { queryEnd += 1 }
        }

        guard pathEnd >= 3, let slash = bytes[3..<pathEnd].firstIndex(of: UInt8(ascii: "/")),
              !bytes[(slash + 1)..<pathEnd].contains(UInt8(ascii: "/"))
        else { return .refused(.malformedPath, nil) }
        guard HitRequest.isIdentifier(bytes[3..<slash]) else { return .refused(.invalidCampaign, nil) }
        guard HitRequest.isIdentifier(bytes[(slash + 1)..<pathEnd]) else { return .refused(.invalidLink, nil) }
        let campaign = CampaignID(unchecked: String(decoding: bytes[3..<slash], as: UTF8.self))
        let link = PixelID(unchecked: String(decoding: bytes[(slash + 1)..<pathEnd], as: UTF8.self))

        let query = queryEnd > pathEnd ? UnsafeBufferPointer(rebasing: bytes[(pathEnd + 1)..<queryEnd]) : UnsafeBufferPointer(start: nil, count: 0)
        guard query.count <= HitRequest.maxQueryLength else { return .refused(.queryTooLong, nil) }
        // The decoded values of to, px and sig, when given.
        var values: [[UInt8]?] = [nil, nil, nil]
        var start = 0
        while start < query.count {
            var end = start
            while end < query.count, query[end] != UInt8(ascii: "&") {
                guard query[end] &- 0x21 < 0x5E else { return .refused(.malformedQuery, nil) }
                end += 1
            }
            var equals = start
            while equals < end, query[equals] != UInt8(ascii: "=") { equals += 1 }
            let key = query[start..<equals]
            let field = key.elementsEqual("to".utf8) ? 0 : key.elementsEqual("px".utf8) ? 1 : key.elementsEqual("sig".utf8) ? 2 : nil
            if let field {
                guard values[field] == nil, let value = decoded(query[min(equals + 1, end)..<end]) else {
                    return .refused(.malformedQuery, nil)
                }
                values[field] = value
            }
            start = end + 1
        }

        let destination: Destination
        do {
            destination = try Destination(validating: values[0] ?? [])
        } catch {
            return .refused(.invalidDestination, error)
        }
        var pixelSet: PixelSetName?
        if let name = values[1] {
            guard let valid = PixelSetName(rawValue: String(decoding: name, as: UTF8.self)) else {
                return .refused(.invalidPixelSet, nil)
            }
            pixelSet = valid
        }
        return .link(LinkRequest(
            link: TrackingLink(campaign: campaign, link: link, destination: destination, pixelSet: pixelSet),
            signature: values[2].map { String(decoding: $0, as: UTF8.self) }))
    }

    /// A percent-decoded value; `nil` for a malformed escape.
    private static func decoded(_ value: Slice<UnsafeBufferPointer<UInt8>>) -> [UInt8]? {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(1, value.count)) { buffer in
            guard case .decoded(let count) = PercentDecoding.decode(value, into: buffer) else { return nil }
            return Array(buffer[0..<count])
        }
    }
}
