import PixelCore

/// Interns campaign and pixel ids to window-store keys, once per id.
///
/// Every campaign has a rollup key; every campaign × pixel has its own key. Each key keeps
/// its feed topic, built once. Names are interned to small ids first (a batch hashes each
/// of its distinct names once), and a campaign × pixel is then found by its two ids in a
/// ``PairIndex``, with no string hashed or compared per event.
struct KeyTable {
    struct Key {
        var campaign: CampaignID
        /// `nil` for the campaign rollup.
        var pixel: PixelID?
        var rollup: Int
        var topic: String
    }

    /// Every name seen, campaign or pixel, by id.
    private var nameIDs: [String: UInt32] = [:]
    private var names: [String] = []
    /// The rollup key of the campaign each name id names, -1 if none.
    private var rollupOfName: [Int32] = []
    private var pairs = PairIndex()
    private(set) var keys: [Key] = []
    /// Whether each key is a campaign's rollup: read on every publish, so kept apart from
    /// the keys' names.
    private(set) var isRollup: [Bool] = []

    var count: Int { keys.count }

    subscript(key: Int) -> Key { keys[key] }

    /// The id of `name`, interning it on first sight.
    mutating func nameID(_ name: String) -> UInt32 {
        if let id = nameIDs[name] { return id }
        let id = UInt32(names.count)
        nameIDs[name] = id
        names.append(name)
        rollupOfName.append(-1)
        return id
    }

    /// The keys of a campaign's pixel and of its rollup, given as name ids, if made.
    @inline(__always)
    func keys(campaign: UInt32, pixel: UInt32) -> (pixel: Int, rollup: Int)? {
        pairs.keys(of: PairIndex.pair(campaign: campaign, pixel: pixel))
    }

    /// The keys of a campaign's pixel and of its rollup, given as name ids, making them on
    /// first sight (`makeKey` is told whether it makes a rollup).
    mutating func makeKeys(campaign: UInt32, pixel: UInt32, makeKey: (_ rollup: Bool) -> Int) -> (pixel: Int, rollup: Int) {
        if let known = keys(campaign: campaign, pixel: pixel) { return known }
        let rollup = rollup(ofName: campaign) ?? addRollup(campaign, makeKey: makeKey)
        let key = makeKey(false)
        let campaignID = CampaignID(unchecked: names[Int(campaign)])
        let pixelID = PixelID(unchecked: names[Int(pixel)])
        register(key, Key(campaign: campaignID, pixel: pixelID, rollup: rollup,
                          topic: FeedTopic.stats(campaign: campaignID, pixel: pixelID)))
        pairs.insert(PairIndex.pair(campaign: campaign, pixel: pixel), pixel: key, rollup: rollup)
        return (key, rollup)
    }

    /// The keys of a campaign's pixel and of its rollup, making them on first sight.
    mutating func makeKeys(campaign: String, pixel: String, makeKey: (_ rollup: Bool) -> Int) -> (pixel: Int, rollup: Int) {
        makeKeys(campaign: nameID(campaign), pixel: nameID(pixel), makeKey: makeKey)
    }

    /// The key of a pixel, or of a campaign's rollup when `pixel` is `nil`, if seen.
    func key(campaign: CampaignID, pixel: PixelID?) -> Int? {
        guard let campaignName = nameIDs[campaign.rawValue] else { return nil }
        guard let pixel else { return rollup(ofName: campaignName) }
        guard let pixelName = nameIDs[pixel.rawValue] else { return nil }
        return keys(campaign: campaignName, pixel: pixelName)?.pixel
    }

    /// The rollup key of the campaign that name id `name` names, if made.
    private func rollup(ofName name: UInt32) -> Int? {
        let rollup = rollupOfName[Int(name)]
        return rollup >= 0 ? Int(rollup) : nil
    }

    /// Makes a campaign's rollup key.
    private mutating func addRollup(_ campaign: UInt32, makeKey: (_ rollup: Bool) -> Int) -> Int {
        let rollup = makeKey(true)
        let id = CampaignID(unchecked: names[Int(campaign)])
        register(rollup, Key(campaign: id, pixel: nil, rollup: rollup, topic: FeedTopic.stats(campaign: id, pixel: nil)))
        rollupOfName[Int(campaign)] = Int32(rollup)
        return rollup
    }

    private mutating func register(_ key: Int, _ value: Key) {
        precondition(key == keys.count && key < Int(Int32.max), "keys are made in order")
        keys.append(value)
        isRollup.append(value.pixel == nil)
    }
}
