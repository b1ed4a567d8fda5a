/// One ad platform's pixel in a pixel set: which kind, and its id or URL, validated so it can
/// be written into the pixel page's script as it is.
///
/// | kind | value | fired as |
/// |---|---|---|
/// | `meta` | pixel id, 5–20 digits | the image `https://www.facebook.com/tr?id=ID&ev=PageView&noscript=1` |
/// | `google` | tag id `AW-…`, `G-…`, `GT-…` or `DC-…` (1–20 of `A-Z 0-9` after the dash) | `gtag.js?id=ID`, then a `page_view` event whose `event_callback` says it is done |
/// | `tiktok` | pixel id, 10–32 of `A-Z 0-9` | TikTok's `events.js` for the id, with `ttq.page()`; done 300 ms after it loads (it has no callback) |
/// | `linkedin` | partner id, 1–20 digits | the image `https://px.ads.linkedin.com/collect/?pid=ID&fmt=gif` |
/// | `image` | an `http://` or `https://` URL (see ``Destination``) | an image |
public enum PixelTag: Sendable, Hashable {
    case meta(String)
    case google(String)
    case tiktok(String)
    case linkedin(String)
    case image(Destination)

    /// The kinds, as a pixel-set file names them.
    public static let kinds = ["meta", "google", "tiktok", "linkedin", "image"]

    /// Validates `value` as a tag of `kind`; the reason when it is not one.
    public init(kind: String, value: String) throws(PixelTagError) {
        let bytes = Array(value.utf8)
        func digits(_ range: ClosedRange<Int>) -> Bool {
            range.contains(bytes.count) && bytes.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        }
        func upperAlphanumerics(_ text: ArraySlice<UInt8>, _ range: ClosedRange<Int>) -> Bool {
            range.contains(text.count) && text.allSatisfy {
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0)
            }
        }
        switch kind {
        case "meta":
            guard digits(5...20) else { throw PixelTagError("a Meta pixel id is 5-20 digits") }
            self = .meta(value)
        case "google":
            guard let dash = bytes.firstIndex(of: UInt8(ascii: "-")),
                  ["AW", "G", "GT", "DC"].contains(String(decoding: bytes[..<dash], as: UTF8.self)),
                  upperAlphanumerics(bytes[(dash + 1)...], 1...20)
            else { throw PixelTagError("a Google tag id is AW-, G-, GT- or DC- and 1-20 of A-Z 0-9") }
            self = .google(value)
        case "tiktok":
            guard upperAlphanumerics(bytes[...], 10...32) else { throw PixelTagError("a TikTok pixel id is 10-32 of A-Z 0-9") }
            self = .tiktok(value)
        case "linkedin":
            guard digits(1...20) else { throw PixelTagError("a LinkedIn partner id is 1-20 digits") }
            self = .linkedin(value)
        case "image":
            do {
                self = .image(try Destination(validating: value))
            } catch {
                throw PixelTagError("the image URL \(error.problem)")
            }
        default:
            throw PixelTagError("\"\(kind)\" is not a kind of pixel; expected one of \(Self.kinds.joined(separator: ", "))")
        }
    }
}

/// Why a pixel-set entry was refused.
public struct PixelTagError: Error, Hashable, CustomStringConvertible {
    public let message: String
    init(_ message: String) { self.message = message }
    public var description: String { message }
}
