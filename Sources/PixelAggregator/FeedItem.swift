public import PixelCore

/// What waits to be published: a ready message, or stats the publisher thread encodes.
public enum FeedItem: Sendable {
    case message(FeedMessage)
    case stats(StatsUpdate)

    public var message: FeedMessage {
        switch self {
        case .message(let message): message
        case .stats(let update): update.message
        }
    }
}
