import Hummingbird
import HTTPTypes
import PixelCore
import PixelPulseClient

/// The dashboard's HTTP routes: the page and its assets (no data in them: they need no
/// token), then the API, `GET /v1/state`, `/v1/stream` (Server-Sent Events), `/v1/series`
/// and `/healthz`, behind the token when there is one.
enum DashboardRoutes {
    static let lastEventID = HTTPField.Name("Last-Event-ID")!

    static func router(hub: DashboardHub, series: SeriesCache, page: DashboardPage, access: DashboardAccess) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/html; charset=utf-8"
            headers[.cacheControl] = "no-cache"
            headers[.contentSecurityPolicy] = DashboardPage.contentSecurityPolicy
            headers[.xContentTypeOptions] = "nosniff"
            headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: page.html)))
        }
        router.get("/assets/:file") { _, context in
            guard let asset = context.parameters.get("file").flatMap({ page.assets[$0] }) else {
                throw DashboardError(.notFound, "no such asset (the page names its assets: reload it)")
            }
            var headers = HTTPFields()
            headers[.contentType] = asset.contentType
            headers[.cacheControl] = "public, max-age=31536000, immutable"
            headers[.xContentTypeOptions] = "nosniff"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: asset.bytes)))
        }

        // Middleware applies to the routes added after it.
        if case .token(let token) = access { router.add(middleware: DashboardTokenMiddleware(token: Array(token.utf8))) }
        router.get("/healthz") { _, _ in
            let state = hub.state
            let feed = !state.isLoaded ? "waiting" : state.staleSince != nil ? "stale" : "live"
            let body = "{\"status\":\"ok\",\"feed\":\"\(feed)\",\"seq\":\(state.seq),\"clients\":\(hub.clients),"
                + "\"slowClientsClosed\":\(hub.slowClientsClosed),\"statesSkipped\":\(hub.statesSkipped)}"
            return json(Array(body.utf8))
        }
        router.get("/v1/state") { request, _ in
            json(hub.state.document(for: try selection(of: request)))
        }
        router.get("/v1/stream") { request, _ in
            let selection = try selection(of: request)
            let resume = request.headers[lastEventID].flatMap { UInt64(String($0.filter { $0 != " " })) }
            let (stream, backlog) = hub.subscribe(selection, lastEventID: resume)
            var headers = HTTPFields()
            headers[.contentType] = "text/event-stream"
            headers[.cacheControl] = "no-store"
            headers[HTTPField.Name("X-Accel-Buffering")!] = "no"
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in
                var buffer = ByteBuffer()
                // One write per item (a tick's messages together): the channel flushes each.
                for await item in stream {
                    // Throwing closes the connection (Hummingbird logs it at trace level).
                    if case .cut = item { throw StreamCut() }
                    buffer.clear()
                    item.encoded(for: selection, into: &buffer)
                    let bytes = buffer.readableBytes
                    try await writer.write(buffer)
                    if case .messages = item { backlog.written(bytes) }
                }
                try await writer.finish(nil)
            })
        }
        router.get("/v1/series") { request, _ in
            let parameters = request.uri.queryParameters
            let prefix = String(parameters.get("prefix") ?? "")
            guard prefix.utf8.count <= DashboardSelection.maximumPrefixLength else {
                throw DashboardError(.badRequest, "prefix: at most \(DashboardSelection.maximumPrefixLength) bytes")
            }
            let query = SeriesCache.Query(prefix: prefix, window: parameters.get("window").map { String($0) }, rollups: try rollups(of: request))
            do {
                return json(try await series.document(query))
            } catch FeedClientError.seriesRefused(let reason) {
                throw DashboardError(.badRequest, "the aggregator refused the series request: \(reason)")
            } catch FeedClientError.seriesTimedOut(let timeout) {
                throw DashboardError(.serviceUnavailable, "the aggregator did not answer the series request within \(timeout)")
            } catch {
                throw DashboardError(.badGateway, "the series request failed: \(error)")
            }
        }
        return router
    }

    /// The selection of a request's `prefix` (repeatable) and `rollups` parameters.
    private static func selection(of request: Request) throws -> DashboardSelection {
        let prefixes = request.uri.queryParameters.getAll("prefix")
        guard prefixes.count <= DashboardSelection.maximumPrefixes else {
            throw DashboardError(.badRequest, "prefix: at most \(DashboardSelection.maximumPrefixes) of them")
        }
        guard prefixes.allSatisfy({ $0.utf8.count <= DashboardSelection.maximumPrefixLength }) else {
            throw DashboardError(.badRequest, "prefix: at most \(DashboardSelection.maximumPrefixLength) bytes")
        }
        return DashboardSelection(prefixes: prefixes, rollups: try rollups(of: request))
    }

    private static func rollups(of request: Request) throws -> Bool {
        switch request.uri.queryParameters.get("rollups") {
        case nil, "false", "0": return false
        case "true", "1": return true
        case let other?: throw DashboardError(.badRequest, "rollups: true or false, got \"\(other)\"")
        }
    }

    static func json(_ bytes: [UInt8]) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

/// Ends a stream's connection without finishing its response.
private struct StreamCut: Error {}

/// A request the dashboard cannot answer: `{"error":"reason"}` with its status.
struct DashboardError: HTTPResponseError {
    let status: HTTPResponse.Status
    let reason: String

    init(_ status: HTTPResponse.Status, _ reason: String) {
        self.status = status
        self.reason = reason
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var body = JSONWriter()
        body.beginObject()
        body.member("error", reason)
        body.endObject()
        var response = DashboardRoutes.json(body.bytes)
        response.status = status
        return response
    }
}
