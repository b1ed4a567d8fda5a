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
        if status != .noContent { headers.append(("Content-Length", String(body.count))) }
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
        let variant: Variant
        switch mode {
        case .keepAlive: variant = keepAlive
        case .explicitKeepAlive: variant = explicitKeepAlive
        case .close: variant = close
        }
        return headOnly ? variant.head : variant.full
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
    let healthy: StaticResponse
    let ready: StaticResponse
    let notReady: StaticResponse
    let notFound: StaticResponse
    /// `405` on the pixel route, which allows `GET`, `HEAD` and `POST`.
    let pixelMethodNotAllowed: StaticResponse
    /// `405` on the read-only routes.
    let readOnlyMethodNotAllowed: StaticResponse
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
        gif = StaticResponse(
            status: .ok,
            headers: [("Date", date), ("Content-Type", "image/gif"), noStore, ("Pragma", "no-cache"), ("Expires", "0")],
            body: Self.transparentGIF, allocator: allocator)
        noContent = StaticResponse(status: .noContent, headers: [("Date", date), noStore], body: [], allocator: allocator)
        healthy = text(.ok, "ok\n")
        ready = text(.ok, "ready\n")
        notReady = text(.serviceUnavailable, "aggregator unreachable\n")
        notFound = text(.notFound, "not found\n")
        pixelMethodNotAllowed = text(.methodNotAllowed, "method not allowed\n", [("Allow", "GET, HEAD, POST")])
        readOnlyMethodNotAllowed = text(.methodNotAllowed, "method not allowed\n", [("Allow", "GET, HEAD")])
        payloadTooLarge = text(.payloadTooLarge, "payload too large\n")
        badRequest = text(.badRequest, "bad request\n")
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
