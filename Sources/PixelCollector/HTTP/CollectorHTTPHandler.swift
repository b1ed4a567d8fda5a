import NIOCore
import Metrics
import NIOHTTP1
import Prometheus

/// Answers one HTTP connection: pixels, beacons, health, readiness and metrics.
///
/// Runs on the connection's event loop and never blocks or hops: a hit is parsed,
/// stamped, hashed and appended to the batch in place, and the answer is a response built
/// in advance. Responses are flushed once per read, so pipelined requests share a write.
/// A conversion report is the one answer that waits (for the aggregator's verdict);
/// answers to requests pipelined behind it wait in ``slots``, so they leave in order.
///
/// The handler also does two jobs usually left to extra pipeline handlers, because every
/// handler in the pipeline costs every request a hop: it answers `400` to a request the
/// HTTP decoder cannot parse (then the decoder closes the connection), and it closes a
/// connection that has sent nothing for between one and two idle timeouts.
///
/// | request | answer |
/// |---|---|
/// | `GET /p/{campaign}/{pixel}.gif` | `200` GIF; counted if valid (see ``HitRequest``) |
/// | `HEAD` on the same | `200` GIF headers; never counted |
/// | `POST /p/{campaign}/{pixel}` | `204`; counted if valid; body over the limit → `413` and close |
/// | `OPTIONS` under `/p/` | a CORS preflight: `204` if allowed, else `403` (see ``Preflight``); otherwise `204` with `Allow` |
/// | other methods under `/p/` | `405` |
/// | `GET`/`HEAD /r/{campaign}/{link}?to=…` | a tracking link: `302`, the pixel page, or `400` (see ``LinkResponder``) |
/// | `GET`/`HEAD /p.js` | `200` the page script (see ``PixelScript``), or `304` for its `ETag` |
/// | `GET`/`HEAD /healthz` | `200 ok` |
/// | `GET`/`HEAD /readyz` | `200` while the aggregator link is up, else `503` |
/// | `GET`/`HEAD /metrics` | `200`, Prometheus text |
/// | `POST /v1/conversions`, `GET /v1/postback` | each item's fate, as JSON, once the aggregator confirmed (see ``ConversionEndpoint``) |
/// | other methods on those | `405` |
/// | anything else | `404` |
///
/// Answers to the pixel route and the script carry `Vary: Origin`, and for an `Origin`
/// that ``AllowedOrigins`` allows, `Access-Control-Allow-Origin` with it.
final class CollectorHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = ByteBuffer

    /// What the request being read will be answered with.
    private enum Reply {
        /// A pixel; the parsed hit for a `GET`, `nil` for a `HEAD`.
        case pixel(HitRequest.Parsed?, HitHeaders)
        /// A beacon, with the body bytes read so far.
        case beacon(HitRequest.Parsed, HitHeaders, bodyBytes: Int)
        /// `OPTIONS` on the pixel route.
        case preflight(Preflight)
        /// A tracking link (`GET` or `HEAD`).
        case link(LinkRequest.Parsed, HitHeaders)
        /// `/p.js`, for a request with this `Origin`; `304` when it named the current `ETag`.
        case script(origin: String?, notModified: Bool)
        case fixed(StaticResponse)
        case readiness
        case metrics
        /// `POST /v1/conversions`: the body read so far, or why the request is refused.
        case conversions(Result<ByteBuffer, ConversionRequest.Refusal>)
        /// `GET /v1/postback`: the item, or why the request is refused.
        case postback(Result<ConversionItem, ConversionRequest.Refusal>)
        /// The answer was sent early (`413`); the rest of the request is ignored.
        case answered
    }

    private let services: HTTPServices
    private let cache: ResponseCache
    private var responses: StaticResponses { cache.current }
    private let idleTimeout: TimeAmount
    private var idleCheck: RepeatedTask?
    private var readSinceIdleCheck = false
    private var reply: Reply?
    private var isHEAD = false
    private var connection = ConnectionMode.keepAlive
    private var needsFlush = false
    private var closing = false
    private var quiescing = false
    private var recorder: HitRecorder
    /// Answers in request order, while one is being computed: empty otherwise.
    private var slots: [Slot] = []
    private var nextSlot = 0

    private enum Slot {
        case waiting(Int)
        case ready(ByteBuffer, ConnectionMode)
    }

    init(services: HTTPServices, responses: ResponseCache, idleTimeout: TimeAmount) {
        self.services = services
        recorder = HitRecorder(services: services)
        self.cache = responses
        self.idleTimeout = idleTimeout
    }

    func channelActive(context: ChannelHandlerContext) {
        recorder.peerAddress = context.channel.remoteAddress?.ipAddress ?? ""
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        idleCheck = context.eventLoop.scheduleRepeatedTask(initialDelay: idleTimeout, delay: idleTimeout) { _ in
            let (handler, context) = bound.value
            if handler.readSinceIdleCheck {
                handler.readSinceIdleCheck = false
            } else {
                context.close(promise: nil)
            }
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        idleCheck?.cancel()
        idleCheck = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        readSinceIdleCheck = true
        guard !closing else { return }
        switch Self.unwrapInboundIn(data) {
        case .head(let head):
            begin(head, context: context)
        case .body(let chunk):
            if case .beacon(let parsed, let headers, let bodyBytes) = reply {
                let total = bodyBytes + chunk.readableBytes
                if total > services.maxBeaconBodySize {
                    services.metrics.countRejection(.bodyTooLarge)
                    services.metrics.countHTTPError(status: 413)
                    reply = .answered
                    connection = .close
                    send(responses.payloadTooLarge, context: context)
                } else {
                    reply = .beacon(parsed, headers, bodyBytes: total)
                }
            } else if case .conversions(.success(var body)) = reply {
                reply = nil  // keeps the buffer uniquely referenced while it grows
                if body.readableBytes + chunk.readableBytes > ConversionRequest.maxBodyBytes {
                    refuseConversions(.init(reason: .bodyTooLarge, message: "the body is over \(ConversionRequest.maxBodyBytes) bytes"), context: context)
                } else {
                    var chunk = chunk
                    body.writeBuffer(&chunk)
                    reply = .conversions(.success(body))
                }
            }
        case .end:
            end(context: context)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if needsFlush {
            needsFlush = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            quiescing = true
            if reply == nil && slots.isEmpty { context.close(promise: nil) }
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Responses are written whole and at once, so none is ever half-sent here: a parse
        // error can always be answered. The decoder closes the connection after this.
        if error is HTTPParserError, !closing {
            services.metrics.countHTTPError(status: 400)
            closing = true
            context.writeAndFlush(Self.wrapOutboundOut(responses.badRequest.bytes(.close, headOnly: false)), promise: nil)
        }
        context.close(promise: nil)
    }

    private func begin(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        isHEAD = head.method == .HEAD
        if !head.isKeepAlive || quiescing {
            connection = .close
        } else {
            connection = head.version.minor == 0 ? .explicitKeepAlive : .keepAlive
        }
        let isRead = head.method == .GET || isHEAD
        switch Route(target: head.uri) {
        case .pixel:
            switch head.method {
            case .GET:
                let headers = HitHeaders(head.headers, readForwardedFor: services.trustForwardedFor)
                reply = .pixel(HitRequest.parse(target: head.uri, style: .image), headers)
            case .HEAD:
                reply = .pixel(nil, HitHeaders(head.headers, readForwardedFor: false))
            case .POST:
                let declared = head.headers.first(name: "content-length").flatMap { Int($0) } ?? 0
                guard declared <= services.maxBeaconBodySize else {
                    services.metrics.countRejection(.bodyTooLarge)
                    services.metrics.countHTTPError(status: 413)
                    reply = .answered
                    connection = .close
                    send(responses.payloadTooLarge, context: context)
                    return
                }
                let headers = HitHeaders(head.headers, readForwardedFor: services.trustForwardedFor)
                reply = .beacon(HitRequest.parse(target: head.uri, style: .beacon), headers, bodyBytes: 0)
            case .OPTIONS:
                reply = .preflight(Preflight(head.headers, origins: services.origins))
            default:
                reply = .fixed(responses.pixelMethodNotAllowed)
            }
        case .link:
            guard isRead else {
                reply = .fixed(responses.readOnlyMethodNotAllowed)
                return
            }
            reply = .link(LinkRequest.parse(target: head.uri), HitHeaders(head.headers, readForwardedFor: services.trustForwardedFor))
        case .script:
            guard isRead else {
                reply = .fixed(responses.readOnlyMethodNotAllowed)
                return
            }
            let notModified = head.headers.first(name: "if-none-match").map(PixelScript.isCurrent(ifNoneMatch:)) ?? false
            reply = .script(origin: head.headers.first(name: "origin"), notModified: notModified)
        case .health:
            reply = .fixed(isRead ? responses.healthy : responses.readOnlyMethodNotAllowed)
        case .readiness:
            reply = isRead ? .readiness : .fixed(responses.readOnlyMethodNotAllowed)
        case .metrics:
            reply = isRead ? .metrics : .fixed(responses.readOnlyMethodNotAllowed)
        case .conversions:
            guard head.method == .POST else {
                reply = .fixed(responses.postOnlyMethodNotAllowed)
                return
            }
            let declared = head.headers.first(name: "content-length").flatMap { Int($0) } ?? 0
            guard declared <= ConversionRequest.maxBodyBytes else {
                refuseConversions(.init(reason: .bodyTooLarge, message: "the body is over \(ConversionRequest.maxBodyBytes) bytes"), context: context)
                return
            }
            if let refusal = services.conversions.refusal(token: Self.bearerToken(head.headers)) {
                reply = .conversions(.failure(refusal))
            } else {
                reply = .conversions(.success(context.channel.allocator.buffer(capacity: max(declared, 256))))
            }
        case .postback:
            guard head.method == .GET else {
                reply = .fixed(responses.readOnlyMethodNotAllowed)
                return
            }
            reply = .postback(ConversionRequest.postback(target: head.uri).flatMap { item, token in
                services.conversions.refusal(token: token).map(Result.failure) ?? .success(item)
            })
        case .notFound:
            reply = .fixed(responses.notFound)
        }
    }

    private func end(context: ChannelHandlerContext) {
        guard let reply else { return }
        switch reply {
        case .pixel(let parsed, let headers):
            if let parsed { recorder.record(parsed, headers: headers, from: .pixel) }
            send(responses.gif, ifAllowed: headers.origin, context: context)
        case .beacon(let parsed, let headers, _):
            recorder.record(parsed, headers: headers, from: .beacon)
            send(responses.noContent, ifAllowed: headers.origin, context: context)
        case .preflight(.notCrossOrigin):
            send(responses.options, context: context)
        case .preflight(.allowed(let origin, let allowHeaders)):
            send(responses.preflight, allowing: origin, allowHeaders: allowHeaders, context: context)
        case .preflight(.refused(let refusal)):
            services.metrics.countRejection(refusal.reason)
            services.metrics.countHTTPError(status: 403)
            send(responses.refusal(refusal), context: context)
        case .link(let parsed, let headers):
            let answer = LinkResponder(services: services).answer(parsed, headers: headers, isHEAD: isHEAD, recorder: &recorder).response
            send(status: answer.status, headers: answer.headers, body: Array(answer.body.utf8), context: context)
        case .script(let origin, let notModified):
            send(notModified ? responses.scriptNotModified : responses.script, ifAllowed: origin, context: context)
        case .fixed(let response):
            services.metrics.countHTTPError(status: Int(response.status.code))
            send(response, context: context)
        case .readiness:
            send(services.forwarder.isLinkUp ? responses.ready : responses.notReady, context: context)
        case .metrics:
            sendMetrics(context: context)
        case .conversions(.success(let body)):
            switch ConversionRequest.items(json: Array(body.readableBytesView)) {
            case .success(let items): report(items, context: context)
            case .failure(let refusal): refuseConversions(refusal, context: context)
            }
        case .postback(.success(let item)):
            report([item], context: context)
        case .conversions(.failure(let refusal)), .postback(.failure(let refusal)):
            refuseConversions(refusal, context: context)
        case .answered:
            break
        }
    }

    // MARK: Conversions

    /// `Authorization: Bearer <token>`.
    private static func bearerToken(_ headers: HTTPHeaders) -> String? {
        guard let value = headers.first(name: "authorization"), value.prefix(7).lowercased() == "bearer " else { return nil }
        let token = value.dropFirst(7).drop { $0 == " " }
        return String(token.reversed().drop { $0 == " " }.reversed())
    }

    /// Answers a whole request refused: `401`, `400` or `413`, with the reason.
    private func refuseConversions(_ refusal: ConversionRequest.Refusal, context: ChannelHandlerContext) {
        services.conversions.metrics.count(refusal)
        let status: HTTPResponseStatus = switch refusal.reason {
        case .unauthorized, .noTokens: .unauthorized
        case .bodyTooLarge: .payloadTooLarge
        case .malformedJSON, .tooManyItems, .malformedQuery: .badRequest
        }
        services.metrics.countHTTPError(status: Int(status.code))
        if status == .payloadTooLarge {
            connection = .close  // the rest of the body is not read
            reply = .answered
        }
        var headers = [("Content-Type", "text/plain; charset=utf-8"), ("Cache-Control", "no-store")]
        if status == .unauthorized { headers.append(("WWW-Authenticate", "Bearer")) }
        send(status: status, headers: headers, body: Array("conversions refused: \(refusal.message)\n".utf8), context: context)
    }

    /// Reports `items` and answers once their fates are known, in request order.
    private func report(_ items: [ConversionItem], context: ChannelHandlerContext) {
        let slot = nextSlot
        nextSlot += 1
        slots.append(.waiting(slot))
        reply = nil
        let mode = quiescing ? .close : connection
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        services.conversions.report(items, on: context.eventLoop).whenSuccess { report in
            let (handler, context) = bound.value
            let bytes = handler.response(
                status: report.status, headers: [("Content-Type", "application/json"), ("Cache-Control", "no-store")],
                body: report.json(), mode: mode, allocator: context.channel.allocator)
            handler.fill(slot, with: bytes, mode: mode, context: context)
        }
    }

    /// Puts a computed answer in its slot and writes every answer ready from the first on.
    private func fill(_ slot: Int, with bytes: ByteBuffer, mode: ConnectionMode, context: ChannelHandlerContext) {
        guard let index = slots.firstIndex(where: { if case .waiting(slot) = $0 { true } else { false } }) else { return }
        slots[index] = .ready(bytes, mode)
        while case .ready(let bytes, let mode) = slots.first {
            slots.removeFirst()
            if mode == .close {
                slots.removeAll()
                closing = true
                let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
                context.writeAndFlush(Self.wrapOutboundOut(bytes)).whenComplete { _ in bound.value.close(promise: nil) }
                return
            }
            context.write(Self.wrapOutboundOut(bytes), promise: nil)
        }
        context.flush()
        if slots.isEmpty && quiescing && reply == nil { context.close(promise: nil) }
    }

    /// A response made for one request: `headers` with `Date` before them, and
    /// `Content-Length` and what the connection needs after.
    private func response(
        status: HTTPResponseStatus, headers: [(String, String)], body: [UInt8], mode: ConnectionMode, allocator: ByteBufferAllocator
    ) -> ByteBuffer {
        var headers = [("Date", cache.date)] + headers + [("Content-Length", String(body.count))]
        switch mode {
        case .keepAlive: break
        case .explicitKeepAlive: headers.append(("Connection", "keep-alive"))
        case .close: headers.append(("Connection", "close"))
        }
        var bytes = HTTPWire.head(status: status, headers: headers, allocator: allocator)
        if !isHEAD { bytes.writeBytes(body) }
        return bytes
    }

    // MARK: Writing

    private func send(_ response: StaticResponse, context: ChannelHandlerContext) {
        if quiescing { connection = .close }  // shutdown began after the request did
        finish(with: response.bytes(connection, headOnly: isHEAD), context: context)
    }

    /// Sends `response`, with the CORS headers for `origin` if it is allowed.
    private func send(_ response: StaticResponse, ifAllowed origin: String?, context: ChannelHandlerContext) {
        if let origin, services.origins.allows(origin) {
            send(response, allowing: origin, context: context)
        } else {
            send(response, context: context)
        }
    }

    /// Sends `response` with the CORS headers for an allowed `origin`.
    private func send(_ response: StaticResponse, allowing origin: String, allowHeaders: String? = nil, context: ChannelHandlerContext) {
        if quiescing { connection = .close }
        let bytes = response.bytes(
            connection, headOnly: isHEAD, allowing: origin, allowHeaders: allowHeaders, allocator: context.channel.allocator)
        finish(with: bytes, context: context)
    }

    private func sendMetrics(context: ChannelHandlerContext) {
        let headers = [("Content-Type", "text/plain; version=0.0.4; charset=utf-8"), ("Cache-Control", "no-store")]
        send(status: .ok, headers: headers, body: services.registry.emitToBuffer(), context: context)
    }

    /// Sends a response made for this request (see ``response(status:headers:body:mode:allocator:)``).
    private func send(status: HTTPResponseStatus, headers: [(String, String)], body: [UInt8], context: ChannelHandlerContext) {
        if quiescing { connection = .close }
        finish(with: response(status: status, headers: headers, body: body, mode: connection, allocator: context.channel.allocator), context: context)
    }

    /// Writes a whole response; flushes at the end of the read, or now and closes.
    private func finish(with bytes: ByteBuffer, context: ChannelHandlerContext) {
        reply = nil
        guard slots.isEmpty else {
            slots.append(.ready(bytes, connection))
            if connection == .close { closing = true }
            return
        }
        if connection == .close {
            closing = true
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(Self.wrapOutboundOut(bytes)).whenComplete { _ in
                bound.value.close(promise: nil)
            }
        } else {
            context.write(Self.wrapOutboundOut(bytes), promise: nil)
            needsFlush = true
        }
    }
}
