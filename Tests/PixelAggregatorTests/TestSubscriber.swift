import PixelCore
import ZeroMQ

/// A feed subscriber for tests: subscribes, waits until the subscription is live (the
/// first heartbeat arrives), then collects messages until a condition holds.
final class TestSubscriber {
    let socket: Socket

    init(context: Context, endpoint: String, prefixes: [String]) throws {
        socket = try context.socket(.sub)
        try socket.set(.receiveTimeout, to: .seconds(10))
        for prefix in prefixes + [FeedTopic.heartbeat] { try socket.subscribe(prefix) }
        try socket.connect(endpoint)
        // The heartbeat proves the subscription reached the publisher.
        while try receive().topic != FeedTopic.heartbeat {}
    }

    func receive() throws -> FeedMessage {
        let frames = try socket.receiveMultipart()
        return FeedMessage(topic: String(decoding: frames[0], as: UTF8.self), body: frames.count > 1 ? frames[1] : [])
    }

    /// Receives until `isDone` says so, or throws after the receive timeout.
    func collect(until isDone: ([FeedMessage]) -> Bool) throws -> [FeedMessage] {
        var messages: [FeedMessage] = []
        while !isDone(messages) { messages.append(try receive()) }
        return messages
    }
}
