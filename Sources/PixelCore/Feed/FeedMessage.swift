/// One live-feed message: a topic frame and a JSON body frame.
public struct FeedMessage: Sendable, Hashable {
    /// The topic, ending in `/` (see ``FeedTopic``).
    public var topic: String
    /// The JSON body, UTF-8.
    public var body: [UInt8]

    public init(topic: String, body: [UInt8]) {
        self.topic = topic
        self.body = body
    }
}
