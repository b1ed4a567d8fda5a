/// How many ticks apart pixel keys are published: 1, then 2, 4 and up to ``maxTicks``
/// while publishing takes more than a quarter of the counting actor's time, and back down
/// by halves once it takes less than a tenth. Between the two it stays, so it does not
/// swing at every heartbeat.
struct PixelConflation {
    static let maxTicks: Int64 = 8
    private(set) var ticks: Int64 = 1

    /// Takes the share of the actor's time spent on the feed since the last call.
    mutating func adapt(toShare share: Double) {
        if share > 0.25, ticks < Self.maxTicks {
            ticks *= 2
        } else if share < 0.1, ticks > 1 {
            ticks /= 2
        }
    }
}
