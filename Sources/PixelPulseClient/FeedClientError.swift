/// Why a ``FeedClient`` stream ended with an error.
public enum FeedClientError: Error, Sendable, Hashable {
    /// The prefix is longer than the aggregator accepts (256 bytes).
    case prefixTooLong
    /// The aggregator refused the snapshot request, with its reason.
    case snapshotRefused(String)
}
