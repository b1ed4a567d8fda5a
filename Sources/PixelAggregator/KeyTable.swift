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

    private struct Campaign {
        var rollup: Int
        var pixels: [String: Int] = [:]
    }

    private var campaigns: [String: Campaign] = [:]
    private(set) var keys: [Key] = []
    /// Whether each key is a campaign's rollup: read on every publish, so kept apart from
    /// the keys' names.
    private(set) var isRollup: [Bool] = []

    var count: Int { keys.count }

    subscript(key: Int) -> Key { keys[key] }

    /// The keys of a campaign's pixel and of its rollup, making them on first sight
    /// (`makeKey` is told whether it makes a rollup).
    ///
    /// A new pixel goes into its campaign's `pixels` in place, through the dictionary's
    /// storage, with no other reference to it: a copy of the campaign alive across the insert
    /// would make it copy all the campaign's pixels, every time (issue 12).
    mutating func keys(campaign: String, pixel: String, makeKey: (_ rollup: Bool) -> Int) -> (pixel: Int, rollup: Int) {
        let index = campaigns.index(forKey: campaign) ?? add(campaign, makeKey: makeKey)
        let rollup = campaigns.values[index].rollup
        if let key = campaigns.values[index].pixels[pixel] { return (key, rollup) }
        let key = makeKey(false)
        let campaignID = CampaignID(unchecked: campaign)
        let pixelID = PixelID(unchecked: pixel)
        register(key, Key(campaign: campaignID, pixel: pixelID, rollup: rollup,
                          topic: FeedTopic.stats(campaign: campaignID, pixel: pixelID)))
        campaigns.values[index].pixels[pixel] = key
        return (key, rollup)
    }

    /// The key of a pixel, or of a campaign's rollup when `pixel` is `nil`, if seen.
    func key(campaign: CampaignID, pixel: PixelID?) -> Int? {
        guard let entry = campaigns[campaign.rawValue] else { return nil }
        guard let pixel else { return entry.rollup }
        return entry.pixels[pixel.rawValue]
    }

    /// Makes a campaign's rollup key and entry; returns where the entry is.
    private mutating func add(_ campaign: String, makeKey: (_ rollup: Bool) -> Int) -> Dictionary<String, Campaign>.Index {
        let rollup = makeKey(true)
        let id = CampaignID(unchecked: campaign)
        register(rollup, Key(campaign: id, pixel: nil, rollup: rollup, topic: FeedTopic.stats(campaign: id, pixel: nil)))
        campaigns[campaign] = Campaign(rollup: rollup)
        return campaigns.index(forKey: campaign)!
    }

    private mutating func register(_ key: Int, _ value: Key) {
        precondition(key == keys.count, "keys are made in order")
        keys.append(value)
        isRollup.append(value.pixel == nil)
    }
}
