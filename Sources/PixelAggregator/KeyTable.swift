import PixelCore

/// Interns campaign and pixel ids to window-store keys, once per id.
///
/// Every campaign has a rollup key; every campaign × pixel has its own key. Each key keeps
/// its feed topic, built once.
struct KeyTable {
    struct Key {
        var campaign: CampaignID
        /// `nil` for the campaign rollup.
        var pixel: PixelID?
        var rollup: Int
        var topic: String
    }

    /// A campaign × pixel, hashed as one: an event costs one lookup, not one per name.
    private struct Pair: Hashable {
        var campaign: String
        var pixel: String
    }

    /// Each campaign's rollup key.
    private var rollups: [String: Int] = [:]
    /// Each campaign × pixel's key and its campaign's rollup.
    private var pairs: [Pair: (pixel: Int, rollup: Int)] = [:]
    private(set) var keys: [Key] = []
    /// Whether each key is a campaign's rollup: read on every publish, so kept apart from
    /// the keys' names.
    private(set) var isRollup: [Bool] = []

    var count: Int { keys.count }

    subscript(key: Int) -> Key { keys[key] }

    /// The keys of a campaign's pixel and of its rollup, making them on first sight
    /// (`makeKey` is told whether it makes a rollup).
    mutating func keys(campaign: String, pixel: String, makeKey: (_ rollup: Bool) -> Int) -> (pixel: Int, rollup: Int) {
        let pair = Pair(campaign: campaign, pixel: pixel)
        if let known = pairs[pair] { return known }
        let rollup = rollups[campaign] ?? add(campaign, makeKey: makeKey)
        let key = makeKey(false)
        let campaignID = CampaignID(unchecked: campaign)
        let pixelID = PixelID(unchecked: pixel)
        register(key, Key(campaign: campaignID, pixel: pixelID, rollup: rollup,
                          topic: FeedTopic.stats(campaign: campaignID, pixel: pixelID)))
        pairs[pair] = (key, rollup)
        return (key, rollup)
    }

    /// The key of a pixel, or of a campaign's rollup when `pixel` is `nil`, if seen.
    func key(campaign: CampaignID, pixel: PixelID?) -> Int? {
        guard let pixel else { return rollups[campaign.rawValue] }
        return pairs[Pair(campaign: campaign.rawValue, pixel: pixel.rawValue)]?.pixel
    }

    /// Makes a campaign's rollup key.
    private mutating func add(_ campaign: String, makeKey: (_ rollup: Bool) -> Int) -> Int {
        let rollup = makeKey(true)
        let id = CampaignID(unchecked: campaign)
        register(rollup, Key(campaign: id, pixel: nil, rollup: rollup, topic: FeedTopic.stats(campaign: id, pixel: nil)))
        rollups[campaign] = rollup
        return rollup
    }

    private mutating func register(_ key: Int, _ value: Key) {
        precondition(key == keys.count, "keys are made in order")
        keys.append(value)
        isRollup.append(value.pixel == nil)
    }
}
