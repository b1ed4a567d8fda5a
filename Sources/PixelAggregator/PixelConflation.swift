/// How many ticks apart pixel keys are published: 1, then 2, 4 and up to ``maxTicks``
/// while publishing takes more than a quarter of the counting actor's time, or the
/// publisher thread finds more than ``backlogLimit`` messages waiting (it falls behind,
/// and its queue would grow); back down by halves once the share is under a tenth and the
/// backlog under the limit. Between the two it stays, so it does not swing at every
/// heartbeat.
struct PixelConflation {
    static let maxTicks: Int64 = 8
    static let backlogLimit = 100_000
    private(set) var ticks: Int64 = 1

    /// Takes the share of the actor's time spent on the feed since the last call, and the
    /// most messages the publisher thread found waiting at once.
    mutating func adapt(toShare share: Double, backlog: Int = 0) {
        if share > 0.25 || backlog > Self.backlogLimit, ticks < Self.maxTicks {
            ticks *= 2
        } else if share < 0.1, backlog <= Self.backlogLimit, ticks > 1 {
            ticks /= 2
        }
    }
}
