public import PixelCore

/// The name of a pixel set: the `px=` of a tracking link, under PixelCore's identifier rules.
public struct PixelSetName: Identifier {
    public let rawValue: String
    public init(unchecked rawValue: String) { self.rawValue = rawValue }
}

/// The named pixel sets a collector knows (from `--pixel-sets`, see ``PixelSetFile``): the
/// ad platforms' pixels that a tracking link with `px=NAME` fires on its way.
public struct PixelSets: Sendable, Hashable {
    /// The most pixels in one set.
    public static let maxPixels = 20

    /// Every set, by name.
    public var sets: [PixelSetName: [PixelTag]]

    public init(_ sets: [PixelSetName: [PixelTag]] = [:]) {
        self.sets = sets
    }

    /// The pixels of the set `name`, `nil` when there is no such set.
    public subscript(name: PixelSetName) -> [PixelTag]? { sets[name] }

    /// How many sets there are.
    public var count: Int { sets.count }
}
