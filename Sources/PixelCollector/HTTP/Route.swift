/// Which endpoint a request target names, judged from its path alone.
///
/// The path is the target up to the first `?` or `#`, compared byte for byte: no
/// percent-decoding and no normalisation, so `/healthz/` and `/%70/…` are not found.
enum Route: Equatable {
    /// Anything under `/p/`: pixels (`GET`/`HEAD`), beacons (`POST`) and CORS preflights
    /// (`OPTIONS`).
    case pixel
    /// Anything under `/r/`: tracking links.
    case link
    /// `/p.js`, the page script.
    case script
    /// `/healthz`.
    case health
    /// `/readyz`.
    case readiness
    /// `/metrics`.
    case metrics
    /// `/v1/conversions`: conversions reported by a backend (`POST`).
    case conversions
    /// `/v1/postback`: a conversion reported by an affiliate network (`GET`).
    case postback
    /// Anything else.
    case notFound

    init(target: String) {
        var target = target
        self = target.withUTF8 { Route(bytes: $0) }
    }

    private init(bytes: UnsafeBufferPointer<UInt8>) {
        var end = 0
        while end < bytes.count, bytes[end] != UInt8(ascii: "?"), bytes[end] != UInt8(ascii: "#") { end += 1 }
        let path = UnsafeBufferPointer(rebasing: bytes[0..<end])
        if path.count >= 3, path[0] == UInt8(ascii: "/"), path[1] == UInt8(ascii: "p"), path[2] == UInt8(ascii: "/") {
            self = .pixel
        } else if path.count >= 3, path[0] == UInt8(ascii: "/"), path[1] == UInt8(ascii: "r"), path[2] == UInt8(ascii: "/") {
            self = .link
        } else if path.elementsEqual("/p.js".utf8) {
            self = .script
        } else if path.elementsEqual("/healthz".utf8) {
            self = .health
        } else if path.elementsEqual("/readyz".utf8) {
            self = .readiness
        } else if path.elementsEqual("/metrics".utf8) {
            self = .metrics
        } else if path.elementsEqual("/v1/conversions".utf8) {
            self = .conversions
        } else if path.elementsEqual("/v1/postback".utf8) {
            self = .postback
        } else {
            self = .notFound
        }
    }
}
