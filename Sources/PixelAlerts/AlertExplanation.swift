import Foundation
public import PixelCore

extension Alert {
    /// A segment of the campaign that fell further than the campaign as a whole: one of the
    /// reasons a campaign's alert gives.
    public struct Reason: Sendable, Hashable, CustomStringConvertible {
        public var dimension: SegmentDimension
        public var segment: String
        /// What the segment had over the rule's window: events of the rule's metric, or
        /// conversions for `cvr-drop`.
        public var value: Double
        /// What the baseline expected of it.
        public var expected: Double

        public init(dimension: SegmentDimension, segment: String, value: Double, expected: Double) {
            self.dimension = dimension
            self.segment = segment
            self.value = value
            self.expected = expected
        }

        /// `value / expected − 1`: −0.92 for a fall of 92 %.
        public var change: Double { expected > 0 ? value / expected - 1 : 0 }

        /// `channel=facebook −92 %`.
        public var description: String {
            "\(dimension.name)=\(segment) \(change < 0 ? "−" : "+")\(Int((abs(change) * 100).rounded())) %"
        }

        /// The most reasons an alert carries.
        public static let limit = 5

        /// Of `candidates` (every segment of every dimension), those that fell at least 20 %
        /// and by at least a tenth of their expectation more than the campaign did
        /// (`campaignRatio`, value / baseline), the largest losses first, at most ``limit``.
        /// A fall shared evenly by every segment therefore has no reason: nothing stands out.
        public static func select(_ candidates: [Reason], campaignRatio: Double) -> [Reason] {
            let standingOut = candidates.filter { reason in
                reason.expected >= 1 && reason.change <= -0.2 && reason.value / reason.expected <= campaignRatio - 0.1
            }
            let sorted = standingOut.sorted {
                ($0.expected - $0.value, $1.dimension.rawValue, $1.segment) > ($1.expected - $1.value, $0.dimension.rawValue, $0.segment)
            }
            return Array(sorted.prefix(limit))
        }
    }

    /// What a campaign's three sources of clicks and conversions say together, when they
    /// disagree in a way that points at a cause — or all fall at once.
    public enum Diagnosis: String, Sendable, Hashable, CaseIterable {
        /// Link clicks steady, conversion pixels fallen: the page's conversion tag stopped
        /// firing (removed, broken by a release, blocked).
        case conversionTagBroken = "conversion-tag-broken"
        /// Server-reported conversions fallen while conversion pixels go on (or, without
        /// pixels, while clicks do): the backend or network stopped posting back.
        case postbackBroken = "postback-broken"
        /// Clicks and every conversion source fallen together: less traffic arrives.
        case trafficSourceDropped = "traffic-source-dropped"

        /// One of a campaign's sources over the rule's window: what it had, and what its
        /// baseline expected.
        public struct Source: Sendable, Hashable {
            public var value: Double
            public var expected: Double

            public init(value: Double, expected: Double) {
                self.value = value
                self.expected = expected
            }

            /// Enough expected to judge by.
            var isPresent: Bool { expected >= Diagnosis.minimumExpected }
            var hasFallen: Bool { isPresent && value < Diagnosis.fallen * expected }
            var isSteady: Bool { isPresent && value >= Diagnosis.steady * expected }
        }

        /// A source has fallen below half of what was expected of it, and is steady at 80 %
        /// or more; it counts only when at least 5 events were expected.
        public static let fallen = 0.5
        public static let steady = 0.8
        public static let minimumExpected = 5.0

        /// The diagnosis the sources support, if any: link clicks (tracking links),
        /// conversion pixels (conversions from browsers) and postbacks (conversions from
        /// servers, `POST /v1/conversions` and `GET /v1/postback`).
        public init?(clicks: Source, pixelConversions: Source, postbacks: Source) {
            if clicks.isSteady, pixelConversions.hasFallen {
                self = .conversionTagBroken
            } else if postbacks.hasFallen, pixelConversions.isSteady || (!pixelConversions.isPresent && clicks.isSteady) {
                self = .postbackBroken
            } else {
                let present = [clicks, pixelConversions, postbacks].filter(\.isPresent)
                guard present.count >= 2, present.allSatisfy(\.hasFallen) else { return nil }
                self = .trafficSourceDropped
            }
        }

        /// In words, for summaries.
        public var sentence: String {
            switch self {
            case .conversionTagBroken: "conversion tag broken (link clicks steady, conversion pixels fell)"
            case .postbackBroken: "postback broken (postbacks fell while conversions went on)"
            case .trafficSourceDropped: "traffic source dropped (clicks and conversions fell together)"
            }
        }
    }
}
