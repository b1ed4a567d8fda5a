import Hummingbird
import HTTPTypes

/// Who may read the dashboard.
public enum DashboardAccess: Sendable, Equatable {
    /// Anyone who can reach it: the default on loopback, or `--open-dashboard`.
    case open
    /// Requests must carry `Authorization: Bearer TOKEN` or `?token=TOKEN`.
    case token(String)

    /// Whether `host` is reachable from this machine only: `localhost`, `::1` or an IPv4
    /// literal in 127.0.0.0/8.
    public static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && UInt8($0) != nil }) else {
            return false
        }
        return octets[0] == "127"
    }

    /// Whether `given` equals `token`, in time that depends on their lengths only.
    static func constantTimeEquals(_ given: some Collection<UInt8>, _ token: [UInt8]) -> Bool {
        var difference = UInt(given.count ^ token.count)
        var index = 0
        for byte in given {
            difference |= UInt(byte ^ (token.isEmpty ? 0 : token[index % token.count]))
            index += 1
        }
        return difference == 0 && !token.isEmpty
    }
}

/// Answers `401` to requests without the dashboard's token.
struct DashboardTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: [UInt8]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var given: Substring?
        if let header = request.headers[.authorization], header.hasPrefix("Bearer ") {
            given = header.dropFirst("Bearer ".count)
        } else if let query = request.uri.queryParameters.get("token") {
            given = Substring(query)
        }
        guard let given, DashboardAccess.constantTimeEquals(given.utf8, token) else {
            var response = try DashboardError(.unauthorized, "a token is required: Authorization: Bearer TOKEN, or ?token=TOKEN")
                .response(from: request, context: context)
            response.headers[.wwwAuthenticate] = "Bearer"
            return response
        }
        return try await next(request, context)
    }
}
