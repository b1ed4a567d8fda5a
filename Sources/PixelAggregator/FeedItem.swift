public import PixelCore

/// What waits to be published: a ready message, or stats or segments the publisher
/// thread encodes.
public enum FeedItem: Sendable {
    case message(FeedMessage)
    case stats(StatsUpdate)
    case segments(SegmentsUpdate)

    /// The topic of a body still to encode; `nil` for a ready message.
    var unencodedTopic: String? {
        switch self {
        case .message: nil
        case .stats(let update): update.topic
        case .segments(let update): update.topic
        }
    }

    /// The message, with stats laid out by `layout`.
    public func message(layout: StatsBodyLayout) -> FeedMessage {
        switch self {
        case .message(let message): message
        case .stats(let update): update.message(layout: layout)
        case .segments(let update): update.message(windows: layout.windows)
        }
    }
}
