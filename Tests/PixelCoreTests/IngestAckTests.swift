import PixelCore
import Testing

@Suite struct IngestAckTests {
    @Test func version1RoundTrips() {
        for status in [IngestAck.Status.accepted, .duplicate, .rejected] {
            let ack = IngestAck(sequence: 0x0102_0304_0506_0708, status: status)
            let bytes = ack.encoded()
            #expect(bytes.count == IngestAck.byteCount)
            #expect(bytes == Array("PXPA".utf8) + [1, status.rawValue, 8, 7, 6, 5, 4, 3, 2, 1])
            #expect(IngestAck(decoding: bytes) == ack)
        }
    }

    @Test func version2CarriesOneFateByteAnEvent() {
        let fates: [EventFate] = [.counted, .duplicate, .tooLate, .tooFarInFuture, .counted]
        let ack = IngestAck(sequence: 9, status: .accepted, fates: fates)
        let bytes = ack.encoded()
        #expect(bytes == Array("PXPA".utf8) + [2, 0] + [9, 0, 0, 0, 0, 0, 0, 0] + [5, 0, 0, 0] + [0, 1, 2, 3, 0])
        #expect(IngestAck(decoding: bytes) == ack)
        #expect(IngestAck(decoding: bytes)?.fates == fates)
        let none = IngestAck(sequence: 9, status: .accepted, fates: [])
        #expect(none.encoded().count == 18)
        #expect(IngestAck(decoding: none.encoded()) == none)
        #expect(none != IngestAck(sequence: 9, status: .accepted), "no events asked for is not the same as not asked")
    }

    @Test func fatesHaveJSONNames() {
        #expect(EventFate.allCases.map(\.name) == ["counted", "duplicate", "too_late", "too_far_in_future"])
    }

    @Test func refusesOtherFrames() {
        var bytes = IngestAck(sequence: 1, status: .accepted).encoded()
        #expect(IngestAck(decoding: bytes.dropLast()) == nil)
        #expect(IngestAck(decoding: bytes + [0]) == nil)
        bytes[4] = 3
        #expect(IngestAck(decoding: bytes) == nil)
        bytes[4] = 1
        bytes[5] = 9
        #expect(IngestAck(decoding: bytes) == nil)
        #expect(IngestAck(decoding: Array("PXPB".utf8)) == nil)
        #expect(IngestAck(decoding: []) == nil)
    }

    @Test func refusesMalformedVersion2Frames() {
        let good = IngestAck(sequence: 3, status: .accepted, fates: [.counted, .duplicate]).encoded()
        #expect(IngestAck(decoding: good) != nil)
        #expect(IngestAck(decoding: good.dropLast()) == nil, "fewer fates than the count")
        #expect(IngestAck(decoding: good + [0]) == nil, "more fates than the count")
        #expect(IngestAck(decoding: good.prefix(16)) == nil, "cut inside the count")
        #expect(IngestAck(decoding: good.prefix(14)) == nil, "version 2 without a count")
        var unknownFate = good
        unknownFate[19] = 4
        #expect(IngestAck(decoding: unknownFate) == nil)
        var duplicate = good
        duplicate[5] = IngestAck.Status.duplicate.rawValue
        #expect(IngestAck(decoding: duplicate) == nil, "only an accepted batch has fates")
        var huge = Array(good.prefix(14)) + [0x01, 0x00, 0x01, 0x00]  // 65 537 events
        huge += Array(repeating: 0, count: 65_537)
        #expect(IngestAck(decoding: huge) == nil)
    }
}
