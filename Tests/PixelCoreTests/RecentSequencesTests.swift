import PixelCore
import Testing

@Suite struct RecentSequencesTests {
    @Test func remembersTheLastSequencesPerCollector() {
        var recent = RecentSequences(capacity: 3)
        var new: [Bool] = []
        new.append(recent.insert(collector: "a", sequence: 1))
        new.append(recent.insert(collector: "a", sequence: 1))
        new.append(recent.insert(collector: "b", sequence: 1))
        for sequence in 2...4 as ClosedRange<UInt64> { new.append(recent.insert(collector: "a", sequence: sequence)) }
        // 1 was the oldest of four: forgotten. 2, 3, 4 are still remembered.
        new.append(recent.insert(collector: "a", sequence: 1))
        new.append(recent.insert(collector: "a", sequence: 4))
        new.append(recent.insert(collector: "b", sequence: 1))
        #expect(new == [true, false, true, true, true, true, true, false, false])
    }
}
