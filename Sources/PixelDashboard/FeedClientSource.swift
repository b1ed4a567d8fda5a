import PixelPulseClient

/// The feed client of the aggregator the dashboard follows, made once on first use (an
/// aggregator in the same process is known only once it has bound its endpoints) and
/// shared by the follower and the series requests.
actor FeedClientSource {
    private let make: @Sendable () async throws -> FeedClient
    private var made: FeedClient?

    init(_ make: @escaping @Sendable () async throws -> FeedClient) { self.make = make }

    func client() async throws -> FeedClient {
        if let made { return made }
        let client = try await make()
        made = made ?? client
        return made!
    }
}
