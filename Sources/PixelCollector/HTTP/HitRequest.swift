import PixelCore

/// What a pixel or beacon request asks to record, parsed and validated from its target.
///
/// The rules, checked in this order; the first failure names the ``RejectReason``:
///
/// 1. **Path.** After `/p/` come exactly two segments, `{campaign}/{pixel}` (else
///    ``RejectReason/malformedPath``). An image request's pixel segment must end in `.gif`
///    (else ``RejectReason/missingGIF``), which is stripped; a beacon's may, and it is
///    stripped too, so a `GET` and a `POST` to the same URL count the same pixel. Segments
///    are taken verbatim, not percent-decoded: every byte an identifier may hold is
///    URL-safe, so a correct client never escapes one. Each must satisfy PixelCore's
///    `IdentifierRules` (``RejectReason/invalidCampaign``, ``RejectReason/invalidPixel``).
/// 2. **Query size.** At most ``maxQueryLength`` bytes (``RejectReason/queryTooLong``),
///    all printable ASCII `0x21…0x7E` (``RejectReason/malformedQuery``). (Raw bytes outside
///    ASCII rarely get this far: SwiftNIO's parser refuses such a request with `400`.)
/// 3. **Parameters.** `&`-separated `key=value` pairs; keys are compared literally, values
///    are percent-decoded (`%XX`, and `+` for a space). Only `e`, `v`, `id`, `utm_source`,
///    `utm_medium` and `ref` are read; any other parameter (a cache buster, say) is ignored
///    unexamined. When a key repeats, the last one counts.
///    - `e`: `view` (the default), `click` or `conversion` (``RejectReason/unknownKind``;
///      so is `bot`, a kind only the collector gives, see ``HitRecorder``).
///    - `v`: read for conversions only, ignored otherwise: 1–13 decimal digits, at most
///      `HitEvent.maxValue` (``RejectReason/invalidValue``).
///    - `id`: 1–128 bytes of UTF-8 once decoded (``RejectReason/invalidEventID``; bytes
///      that are not UTF-8 are ``RejectReason/malformedQuery``), kept as its `EventID`
///      fingerprint.
///    - `utm_source`, `utm_medium`: the page's tags, normalised to a `SegmentValue`
///      (an empty one is no tag); `ref`: the page's referrer, of which only the host is
///      kept (see ``ChannelRules``). A pixel's own `Referer` is the page it is on, not
///      where the visit came from, so it is never used.
///    - A malformed `%` escape in any of them is ``RejectReason/malformedQuery``.
struct HitRequest: Equatable, Sendable {
    var campaign: CampaignID
    var pixel: PixelID
    var kind: EventKind
    var value: UInt64?
    var eventID: EventID?
    /// The page's or link's `utm_source` and `utm_medium`, and the referring host.
    var source: SegmentValue?
    var medium: SegmentValue?
    var referrer: SegmentValue?

    /// The longest query string accepted, in bytes.
    static let maxQueryLength = 4096

    /// How the request reached the pixel route.
    enum Style {
        /// `GET …/{pixel}.gif`: the pixel segment must end in `.gif`.
        case image
        /// `POST …/{pixel}`: a `.gif` ending is optional.
        case beacon
    }

    /// The outcome of parsing a target.
    enum Parsed: Equatable {
        case hit(HitRequest)
        case rejected(RejectReason)
    }

    /// Parses a request target that ``Route`` sent to ``Route/pixel``.
    static func parse(target: String, style: Style) -> Parsed {
        var target = target
        return target.withUTF8 { parse(bytes: $0, style: style) }
    }

    private static func parse(bytes: UnsafeBufferPointer<UInt8>, style: Style) -> Parsed {
        var pathEnd = 0
        while pathEnd < bytes.count, bytes[pathEnd] != UInt8(ascii: "?"), bytes[pathEnd] != UInt8(ascii: "#") {
            pathEnd += 1
        }
        var queryEnd = pathEnd
        if pathEnd < bytes.count, bytes[pathEnd] == UInt8(ascii: "?") {
            queryEnd = pathEnd + 1
            while queryEnd < bytes.count, bytes[queryEnd] != UInt8(ascii: "#") { queryEnd += 1 }
        }

        // Path: "/p/" campaign "/" pixel
        guard pathEnd >= 3 else { return .rejected(.malformedPath) }
        let segments = 3..<pathEnd
        guard let slash = bytes[segments].firstIndex(of: UInt8(ascii: "/")),
              !bytes[(slash + 1)..<pathEnd].contains(UInt8(ascii: "/"))
        else { return .rejected(.malformedPath) }
        let campaignBytes = bytes[3..<slash]
        var pixelEnd = pathEnd
        let hasGIF = pixelEnd - (slash + 1) >= 4 && bytes[(pixelEnd - 4)..<pixelEnd].elementsEqual(".gif".utf8)
        if hasGIF {
            pixelEnd -= 4
        } else if style == .image {
            return .rejected(.missingGIF)
        }
        let pixelBytes = bytes[(slash + 1)..<pixelEnd]
        guard Self.isIdentifier(campaignBytes) else { return .rejected(.invalidCampaign) }
        guard Self.isIdentifier(pixelBytes) else { return .rejected(.invalidPixel) }

        var request = HitRequest(
            campaign: CampaignID(unchecked: String(decoding: campaignBytes, as: UTF8.self)),
            pixel: PixelID(unchecked: String(decoding: pixelBytes, as: UTF8.self)),
            kind: .view)
        guard queryEnd > pathEnd else { return .hit(request) }
        let query = UnsafeBufferPointer(rebasing: bytes[(pathEnd + 1)..<queryEnd])
        if let reason = request.apply(query: query) { return .rejected(reason) }
        return .hit(request)
    }

    /// Reads `e`, `v` and `id` from a query; the reason when it must not count.
    private mutating func apply(query: UnsafeBufferPointer<UInt8>) -> RejectReason? {
        guard query.count <= Self.maxQueryLength else { return .queryTooLong }
        var kindRange: Range<Int>?
        var valueRange: Range<Int>?
        var idRange: Range<Int>?
        var sourceRange: Range<Int>?
        var mediumRange: Range<Int>?
        var refRange: Range<Int>?
        var start = 0
        while start <= query.count {
            var end = start
            while end < query.count, query[end] != UInt8(ascii: "&") {
                guard query[end] &- 0x21 < 0x5E else { return .malformedQuery }
                end += 1
            }
            var equals = start
            while equals < end, query[equals] != UInt8(ascii: "=") { equals += 1 }
            let key = query[start..<equals]
            let value = min(equals + 1, end)..<end
            if key.elementsEqual("e".utf8) {
                kindRange = value
            } else if key.elementsEqual("v".utf8) {
                valueRange = value
            } else if key.elementsEqual("id".utf8) {
                idRange = value
            } else if key.elementsEqual("utm_source".utf8) {
                sourceRange = value
            } else if key.elementsEqual("utm_medium".utf8) {
                mediumRange = value
            } else if key.elementsEqual("ref".utf8) {
                refRange = value
            }
            start = end + 1
        }

        if sourceRange != nil || mediumRange != nil || refRange != nil,
           let reason = applySegments(query, source: sourceRange, medium: mediumRange, ref: refRange) {
            return reason
        }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: EventID.maxTextLength) { buffer in
            if let kindRange {
                switch PercentDecoding.decode(query[kindRange], into: buffer) {
                case .malformed: return .malformedQuery
                case .tooLong: return .unknownKind
                case .decoded(let count):
                    let name = String(decoding: UnsafeBufferPointer(rebasing: buffer[0..<count]), as: UTF8.self)
                    guard let kind = EventKind(name: name), kind != .bot else { return .unknownKind }
                    self.kind = kind
                }
            }
            if kind == .conversion, let valueRange {
                switch PercentDecoding.decode(query[valueRange], into: buffer) {
                case .malformed: return .malformedQuery
                case .tooLong: return .invalidValue
                case .decoded(let count):
                    guard let value = Self.parseValue(UnsafeBufferPointer(rebasing: buffer[0..<count])) else {
                        return .invalidValue
                    }
                    self.value = value
                }
            }
            if let idRange {
                switch PercentDecoding.decode(query[idRange], into: buffer) {
                case .malformed: return .malformedQuery
                case .tooLong: return .invalidEventID
                case .decoded(let count):
                    guard count > 0 else { return .invalidEventID }
                    guard let text = String(validating: UnsafeBufferPointer(rebasing: buffer[0..<count]), as: UTF8.self)
                    else { return .malformedQuery }
                    guard let eventID = EventID(text: text) else { return .invalidEventID }
                    self.eventID = eventID
                }
            }
            return nil
        }
    }

    /// Reads `utm_source`, `utm_medium` and `ref` from their ranges of `query`.
    private mutating func applySegments(
        _ query: UnsafeBufferPointer<UInt8>, source: Range<Int>?, medium: Range<Int>?, ref: Range<Int>?
    ) -> RejectReason? {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: query.count) { buffer in
            /// The decoded value, `nil` for a malformed escape.
            func decoded(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8>? {
                guard case .decoded(let count) = PercentDecoding.decode(query[range], into: buffer) else { return nil }
                return UnsafeBufferPointer(rebasing: buffer[0..<count])
            }
            if let source {
                guard let text = decoded(source) else { return .malformedQuery }
                self.source = SegmentValue(normalizing: String(decoding: text, as: UTF8.self))
            }
            if let medium {
                guard let text = decoded(medium) else { return .malformedQuery }
                self.medium = SegmentValue(normalizing: String(decoding: text, as: UTF8.self))
            }
            if let ref {
                guard let url = decoded(ref) else { return .malformedQuery }
                referrer = ChannelRules.referrerHost(url)
            }
            return nil
        }
    }

    /// `IdentifierRules`, checked in place: the generic `validate` is not specialised
    /// across modules, and this runs twice per hit.
    @inline(__always)
    static func isIdentifier(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        guard !bytes.isEmpty, bytes.count <= IdentifierRules.maxLength else { return false }
        for byte in bytes where !IdentifierRules.isAllowed(byte) { return false }
        return true
    }

    /// A conversion value: 1–13 decimal digits, at most `HitEvent.maxValue`.
    private static func parseValue(_ digits: UnsafeBufferPointer<UInt8>) -> UInt64? {
        guard !digits.isEmpty, digits.count <= 13 else { return nil }
        var value: UInt64 = 0
        for byte in digits {
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            value = value * 10 + UInt64(digit)
        }
        return value <= HitEvent.maxValue ? value : nil
    }
}
