/// Why a ``FeedClient`` stream or request ended with an error.
public enum FeedClientError: Error, Sendable, Hashable {
    /// The prefix is longer than the aggregator accepts (256 bytes).
    case prefixTooLong
    /// The aggregator refused the snapshot request, with its reason.
    case snapshotRefused(String)
    /// The aggregator refused the series request (an unknown window, a malformed prefix),
    /// with its reason.
    case seriesRefused(String)
    /// No complete series reply arrived within the timeout.
    case seriesTimedOut(Duration)
}
