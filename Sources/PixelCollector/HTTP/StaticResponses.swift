import NIOCore
import NIOHTTP1

/// How a response leaves the connection.
enum ConnectionMode {
    /// HTTP/1.1 keep-alive: no `Connection` header needed.
    case keepAlive
    /// An HTTP/1.0 client asked for keep-alive: say `Connection: keep-alive`.
    case explicitKeepAlive
    /// `Connection: close`, then close.
    case close
}

/// A response serialised once, status line to body, in each connection variant, so
/// answering costs one write of a shared buffer and no encoding.
struct StaticResponse: Sendable {
    let status: HTTPResponseStatus
    private let keepAlive: Variant
    private let explicitKeepAlive: Variant
    private let close: Variant

    private struct Variant: Sendable {
        /// Head and body.
        let full: ByteBuffer
        /// The head alone, for `HEAD` requests.
        let head: ByteBuffer
    }

    init(status: HTTPResponseStatus, headers: [(String, String)], body: [UInt8], allocator: ByteBufferAllocator) {
        self.status = status
        var headers = headers
        if status != .noContent && status != .notModified { headers.append(("Content-Length", String(body.count))) }
        func variant(_ connection: String?) -> Variant {
            var all = headers
            if let connection { all.append(("Connection", connection)) }
            let head = HTTPWire.head(status: status, headers: all, allocator: allocator)
            var full = head
            full.writeBytes(body)
            return Variant(full: full, head: head)
        }
        keepAlive = variant(nil)
        explicitKeepAlive = variant("keep-alive")
        close = variant("close")
    }

    /// The bytes to send.
    ///
    /// - Parameters:
    ///   - mode: How the connection continues.
    ///   - headOnly: Leave out the body (a `HEAD` request).
    @inline(__always)
    func bytes(_ mode: ConnectionMode, headOnly: Bool) -> ByteBuffer {
        let variant = variant(mode)
        return headOnly ? variant.head : variant.full
    }

    /// The bytes with the CORS headers of an allowed origin added: `origin` in
    /// `Access-Control-Allow-Origin`, `Access-Control-Allow-Credentials: true`, and for a
    /// preflight `allowHeaders` in `Access-Control-Allow-Headers`.
    ///
    /// One buffer, copied from the serialised response with the lines put in before the
    /// blank line that ends the head: nothing is encoded but `origin` and `allowHeaders`.
    ///
    /// - Parameters:
    ///   - mode: How the connection continues.
    ///   - headOnly: Leave out the body (a `HEAD` request).
    ///   - origin: An `Origin` value that ``AllowedOrigins/allows(_:)`` accepted.
    ///   - allowHeaders: The request headers a preflight may send, if this answers one.
    func bytes(
        _ mode: ConnectionMode, headOnly: Bool, allowing origin: String, allowHeaders: String? = nil,
        allocator: ByteBufferAllocator
    ) -> ByteBuffer {
        let variant = variant(mode)
        let source = headOnly ? variant.head : variant.full
        let cut = variant.head.readableBytes - 2  // the blank line's CRLF
        var bytes = allocator.buffer(capacity: source.readableBytes + 128 + origin.utf8.count + (allowHeaders?.utf8.count ?? 0))
        bytes.writeImmutableBuffer(source.getSlice(at: source.readerIndex, length: cut)!)
        bytes.writeStaticString("Access-Control-Allow-Origin: ")
        bytes.writeString(origin)
        bytes.writeStaticString("\r\nAccess-Control-Allow-Credentials: true\r\n")
        if let allowHeaders {
            bytes.writeStaticString("Access-Control-Allow-Headers: ")
            bytes.writeString(allowHeaders)
            bytes.writeStaticString("\r\n")
        }
        bytes.writeImmutableBuffer(source.getSlice(at: source.readerIndex + cut, length: source.readableBytes - cut)!)
        return bytes
    }

    @inline(__always)
    private func variant(_ mode: ConnectionMode) -> Variant {
        switch mode {
        case .keepAlive: keepAlive
        case .explicitKeepAlive: explicitKeepAlive
        case .close: close
        }
    }
}

/// Every fixed response, built per event loop (and again each second, for the `Date`
/// header) so each loop's handlers share buffers that no other thread touches.
struct StaticResponses: Sendable {
    /// The 43-byte transparent 1×1 GIF89a.
    static let transparentGIF: [UInt8] = [
        0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00,
        0x00, 0xff, 0xff, 0xff, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00,
        0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b,
    ]

    /// Pixel answer: the GIF, never cached.
    let gif: StaticResponse
    /// Beacon answer.
    let noContent: StaticResponse
    /// `/p.js`, cacheable, with its `ETag`.
    let script: StaticResponse
    /// `304` to an `If-None-Match` naming the script's `ETag`.
    let scriptNotModified: StaticResponse
    /// An allowed CORS preflight, before the origin and allowed headers are added.
    let preflight: StaticResponse
    /// `OPTIONS` on the pixel route that is no CORS preflight.
    let options: StaticResponse
    /// Refused preflights: the origin, the method, a request header.
    let corsOriginRefused: StaticResponse
    let corsMethodRefused: StaticResponse
    let corsHeadersRefused: StaticResponse
    let healthy: StaticResponse
    let ready: StaticResponse
    let notReady: StaticResponse
    let notFound: StaticResponse
    /// `405` on the pixel route, which allows `GET`, `HEAD`, `POST` and `OPTIONS`.
    let pixelMethodNotAllowed: StaticResponse
    /// `405` on the read-only routes.
    let readOnlyMethodNotAllowed: StaticResponse
    let postOnlyMethodNotAllowed: StaticResponse
    let payloadTooLarge: StaticResponse
    /// A request the HTTP decoder could not parse.
    let badRequest: StaticResponse

    /// Builds every response.
    ///
    /// - Parameters:
    ///   - allocator: Where the buffers come from.
    ///   - date: The `Date` header value.
    init(allocator: ByteBufferAllocator, date: String) {
        let noStore = ("Cache-Control", "no-store, no-cache, must-revalidate, max-age=0")
        func text(_ status: HTTPResponseStatus, _ body: String, _ extra: [(String, String)] = []) -> StaticResponse {
            StaticResponse(
                status: status,
                headers: [("Date", date), ("Content-Type", "text/plain; charset=utf-8"), ("Cache-Control", "no-store")]
                    + extra,
                body: Array(body.utf8), allocator: allocator)
        }
        // Every answer of the pixel route and the script depends on the request's Origin.
        let vary = ("Vary", "Origin")
        gif = StaticResponse(
            status: .ok,
            headers: [("Date", date), ("Content-Type", "image/gif"), noStore, ("Pragma", "no-cache"), ("Expires", "0"), vary],
            body: Self.transparentGIF, allocator: allocator)
        noContent = StaticResponse(status: .noContent, headers: [("Date", date), noStore, vary], body: [], allocator: allocator)
        let scriptCaching = [("Cache-Control", "public, max-age=3600"), ("ETag", PixelScript.entityTag), vary]
        script = StaticResponse(
            status: .ok,
            headers: [("Date", date), ("Content-Type", "text/javascript; charset=utf-8"), ("X-Content-Type-Options", "nosniff")]
                + scriptCaching,
            body: PixelScript.source, allocator: allocator)
        scriptNotModified = StaticResponse(status: .notModified, headers: [("Date", date)] + scriptCaching, body: [], allocator: allocator)
        preflight = StaticResponse(
            status: .noContent,
            headers: [
                ("Date", date), ("Access-Control-Allow-Methods", "GET, POST, OPTIONS"), ("Access-Control-Max-Age", "7200"),
                ("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"),
            ],
            body: [], allocator: allocator)
        options = StaticResponse(
            status: .noContent, headers: [("Date", date), ("Allow", "GET, HEAD, POST, OPTIONS")], body: [], allocator: allocator)
        corsOriginRefused = text(.forbidden, "cross-origin request refused: the origin is not in --cors-origins\n")
        corsMethodRefused = text(.forbidden, "cross-origin request refused: only GET, HEAD and POST are allowed\n")
        corsHeadersRefused = text(.forbidden, "cross-origin request refused: the only request header allowed is Content-Type\n")
        healthy = text(.ok, "ok\n")
        ready = text(.ok, "ready\n")
        notReady = text(.serviceUnavailable, "aggregator unreachable\n")
        notFound = text(.notFound, "not found\n")
        pixelMethodNotAllowed = text(.methodNotAllowed, "method not allowed\n", [("Allow", "GET, HEAD, POST, OPTIONS")])
        readOnlyMethodNotAllowed = text(.methodNotAllowed, "method not allowed\n", [("Allow", "GET, HEAD")])
        postOnlyMethodNotAllowed = text(.methodNotAllowed, "method not allowed\n", [("Allow", "POST")])
        payloadTooLarge = text(.payloadTooLarge, "payload too large\n")
        badRequest = text(.badRequest, "bad request\n")
    }
}

extension StaticResponses {
    /// The `403` of a refused preflight.
    func refusal(_ refusal: Preflight.Refusal) -> StaticResponse {
        switch refusal {
        case .origin: corsOriginRefused
        case .method: corsMethodRefused
        case .headers: corsHeadersRefused
        }
    }
}

/// Serialises HTTP/1.1 response heads.
enum HTTPWire {
    /// `HTTP/1.1 <code> <reason>`, the headers, and the blank line.
    static func head(status: HTTPResponseStatus, headers: [(String, String)], allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 256)
        buffer.writeString("HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n")
        for (name, value) in headers {
            buffer.writeString(name)
            buffer.writeString(": ")
            buffer.writeString(value)
            buffer.writeString("\r\n")
        }
        buffer.writeString("\r\n")
        return buffer
    }
}
