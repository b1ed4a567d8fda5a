import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// One Server-Sent Event as a client reads it.
struct SSEEvent: Sendable, Equatable {
    var event: String?
    var id: String?
    var data: String
    /// A comment line (`: keep-alive`), for events that are only that.
    var comment: String?
}

/// A real HTTP/1.1 client of an SSE stream: NIO's HTTP client pipeline, the body parsed as
/// `text/event-stream` (events end at a blank line).
struct SSEClient: ~Copyable {
    let status: Int
    let headers: HTTPHeaders
    private var inbound: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator
    private var pending = ""

    /// Opens the stream at `path`, runs `body` with it, then closes the connection.
    static func with<T: Sendable>(
        port: Int, path: String, headers extra: [(String, String)] = [], _ body: (inout SSEClient) async throws -> T
    ) async throws -> T {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    // A stream that goes quiet for 20 s ends, so a missing event fails the test instead of stalling it.
                    try channel.pipeline.syncOperations.addHandlers([IdleStateHandler(readTimeout: .seconds(20)), CloseOnIdle()])
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
        var headers = HTTPHeaders([("Host", "127.0.0.1:\(port)"), ("Accept", "text/event-stream")])
        for (name, value) in extra { headers.add(name: name, value: value) }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(.head(HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers)))
            try await outbound.write(.end(nil))
            var iterator = inbound.makeAsyncIterator()
            guard case .head(let head) = try await iterator.next() else { throw SSEError.noHead }
            var client = SSEClient(status: Int(head.status.code), headers: head.headers, inbound: iterator)
            return try await body(&client)
        }
    }

    private init(status: Int, headers: HTTPHeaders, inbound: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator) {
        self.status = status
        self.headers = headers
        self.inbound = inbound
    }

    /// The next event (comments included); `nil` when the server ended the stream.
    mutating func next() async throws -> SSEEvent? {
        while true {
            if let end = pending.range(of: "\n\n") {
                let block = pending[..<end.lowerBound]
                pending.removeSubrange(..<end.upperBound)
                return Self.parse(block)
            }
            switch try await inbound.next() {
            case .body(let buffer): pending += String(buffer: buffer)
            case .end, nil: return nil
            case .head: continue
            }
        }
    }

    /// The next event that is not a comment and satisfies `predicate`.
    mutating func next(where predicate: (SSEEvent) -> Bool) async throws -> SSEEvent {
        while let event = try await next() {
            if event.comment == nil, predicate(event) { return event }
        }
        throw SSEError.ended
    }

    private static func parse(_ block: Substring) -> SSEEvent {
        var event = SSEEvent(data: "")
        var data: [Substring] = []
        for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix(":") { event.comment = String(line.dropFirst().drop(while: { $0 == " " })); continue }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let value = line[line.index(after: colon)...].drop(while: { $0 == " " })
            switch line[..<colon] {
            case "event": event.event = String(value)
            case "id": event.id = String(value)
            case "data": data.append(value)
            default: break
            }
        }
        event.data = data.joined(separator: "\n")
        return event
    }
}

/// Closes the connection when the idle handler before it says reads went quiet.
private final class CloseOnIdle: ChannelInboundHandler, Sendable {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent { context.close(promise: nil) } else { context.fireUserInboundEventTriggered(event) }
    }
}

enum SSEError: Error {
    case noHead, ended
}
