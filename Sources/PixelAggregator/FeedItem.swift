public import PixelCore

/// What waits to be published: a ready message, or stats the publisher thread encodes.
public enum FeedItem: Sendable {
    case message(FeedMessage)
    case stats(StatsUpdate)

    /// The topic of stats; `nil` for a ready message.
    var statsTopic: String? {
        if case .stats(let update) = self { update.topic } else { nil }
    }

    /// The message, with stats laid out by `layout`.
    public func message(layout: StatsBodyLayout) -> FeedMessage {
        switch self {
        case .message(let message): message
        case .stats(let update): update.message(layout: layout)
        }
    }
}
