import Foundation
import Testing

extension Trait where Self == ConditionTrait {
    /// Options fall back to `PIXELPULSE_*` variables when not given; tests of the defaults
    /// and of what is required need none of them set.
    static var withoutPixelPulseEnvironment: Self {
        .enabled(
            if: ProcessInfo.processInfo.environment.keys.allSatisfy { !$0.hasPrefix("PIXELPULSE_") },
            "a PIXELPULSE_* variable is set, and the options would read it")
    }
}
