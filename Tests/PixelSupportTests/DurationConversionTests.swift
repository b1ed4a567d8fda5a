import PixelSupport
import Testing

@Suite struct DurationConversionTests {
    @Test func millisecondsAreCutOrRoundedUpAndSaturate() {
        #expect(Duration.milliseconds(1500).milliseconds() == 1500)
        #expect(Duration.microseconds(1999).milliseconds() == 1)
        #expect(Duration.microseconds(1999).milliseconds(rounded: .up) == 2)
        #expect(Duration.milliseconds(2).milliseconds(rounded: .up) == 2)
        #expect(Duration.zero.milliseconds(rounded: .up) == 0)
        #expect(Duration.seconds(Int64.max).milliseconds() == .max)
        #expect(Duration.seconds(-2).milliseconds() == -2000)
    }

    @Test func nanosecondsAndSeconds() {
        #expect(Duration.milliseconds(250).nanoseconds == 250_000_000)
        #expect(Duration.seconds(Int64.max).nanoseconds == .max)
        #expect(Duration.milliseconds(1250).inSeconds == 1.25)
    }
}
