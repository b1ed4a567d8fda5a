import Hummingbird
import HTTPTypes

/// The dashboard's HTTP API: `GET /v1/state`, `GET /v1/stream` (Server-Sent Events) and
/// `GET /healthz`.
enum DashboardRoutes {
    static let lastEventID = HTTPField.Name("Last-Event-ID")!

    static func router(hub: DashboardHub, access: DashboardAccess) -> Router<BasicRequestContext> {
        let router = Router()
        if case .token(let token) = access { router.add(middleware: DashboardTokenMiddleware(token: Array(token.utf8))) }
        router.get("/healthz") { _, _ in
            let state = hub.state
            let feed = !state.isLoaded ? "waiting" : state.staleSince != nil ? "stale" : "live"
            let body = "{\"status\":\"ok\",\"feed\":\"\(feed)\",\"seq\":\(state.seq),\"clients\":\(hub.clients),"
                + "\"slowClientsClosed\":\(hub.slowClientsClosed)}"
            return json(body)
        }
        router.get("/v1/state") { request, _ in
            let prefix = try prefix(of: request)
            return json(hub.state.document(prefix: prefix))
        }
        router.get("/v1/stream") { request, _ in
            let prefix = try prefix(of: request)
            let resume = request.headers[lastEventID].flatMap { UInt64(String($0.filter { $0 != " " })) }
            let stream = hub.subscribe(prefix: prefix, lastEventID: resume)
            var headers = HTTPFields()
            headers[.contentType] = "text/event-stream"
            headers[.cacheControl] = "no-store"
            headers[HTTPField.Name("X-Accel-Buffering")!] = "no"
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in
                var buffer = ByteBuffer()
                // One write per event: the channel flushes each.
                for await item in stream {
                    buffer.clear()
                    item.encoded(prefix: prefix, into: &buffer)
                    try await writer.write(buffer)
                }
                try await writer.finish(nil)
            })
        }
        return router
    }

    private static func prefix(of request: Request) throws -> String {
        let prefix = request.uri.queryParameters.get("prefix") ?? ""
        guard prefix.utf8.count <= DashboardPrefix.maximumLength else {
            throw HTTPError(.badRequest, message: "prefix: at most \(DashboardPrefix.maximumLength) bytes")
        }
        return prefix
    }

    private static func json(_ body: String) -> Response { json(Array(body.utf8)) }

    private static func json(_ bytes: [UInt8]) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
