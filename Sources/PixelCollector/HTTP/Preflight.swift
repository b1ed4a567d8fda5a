import NIOHTTP1

/// The answer to an `OPTIONS` request on the pixel route, decided from its headers.
///
/// A CORS preflight carries `Origin` and `Access-Control-Request-Method`. It is allowed
/// when ``AllowedOrigins`` allows the origin, the method is `GET`, `HEAD` or `POST`, and
/// every header in `Access-Control-Request-Headers` is `Content-Type` or one of the
/// headers browsers always allow (`Accept`, `Accept-Language`, `Content-Language`); the
/// answer then allows exactly the headers asked for. Anything else is refused by reason:
/// the browser would not send the request anyway, and a `403` with the reason says why.
enum Preflight: Equatable {
    /// No `Origin` or no `Access-Control-Request-Method`: an ordinary `OPTIONS`.
    case notCrossOrigin
    /// Allowed: echo `origin`, and allow `headers` (lower case, comma-separated).
    case allowed(origin: String, headers: String)
    case refused(Refusal)

    /// What a refused preflight asked for that is not allowed.
    enum Refusal {
        case origin, method, headers

        /// The `reason` label it is counted under.
        var reason: RejectReason {
            switch self {
            case .origin: .corsOrigin
            case .method: .corsMethod
            case .headers: .corsHeaders
            }
        }
    }

    /// The methods a preflight may ask for.
    static let methods: Set<String> = ["GET", "HEAD", "POST"]
    /// The request headers a preflight may ask for, in lower case.
    static let headers: Set<String> = ["content-type", "accept", "accept-language", "content-language"]
    /// `Access-Control-Allow-Headers` when the preflight asked for none.
    static let defaultHeaders = "content-type"

    init(_ request: HTTPHeaders, origins: AllowedOrigins) {
        guard let origin = request.first(name: "origin"),
              let method = request.first(name: "access-control-request-method") else {
            self = .notCrossOrigin
            return
        }
        guard origins.allows(origin) else {
            self = .refused(.origin)
            return
        }
        guard Self.methods.contains(method) else {
            self = .refused(.method)
            return
        }
        var names: [String] = []
        for name in request[canonicalForm: "access-control-request-headers"] where !name.isEmpty {
            let lower = name.lowercased()
            guard Self.headers.contains(lower) else {
                self = .refused(.headers)
                return
            }
            names.append(lower)
        }
        self = .allowed(origin: origin, headers: names.isEmpty ? Self.defaultHeaders : names.joined(separator: ", "))
    }
}
