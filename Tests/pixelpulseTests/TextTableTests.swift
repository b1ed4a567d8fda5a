@testable import pixelpulse
import Testing

/// Fitting a table to a width, and the figures' formats.
@Suite struct TextTableTests {
    static let table = TextTable(columns: [
        .init(title: "ID", alignsLeft: true, preferredWidth: 10, softWidth: 6),
        .init(title: "N", preferredWidth: 6),
        .init(title: "EXTRA", preferredWidth: 6, dropOrder: 1),
    ])
    static let rows = [["a-very-long-id", "12", "x"], ["short", "3", "yy"]]

    func lines(width: Int) -> [String] {
        let layout = Self.table.layout(for: Self.rows, width: width)
        return [Self.table.header(layout)] + Self.rows.map { Self.table.line($0, layout) }
    }

    @Test func aWideTableGetsItsPreferredWidthsAndIDsInFull() {
        #expect(lines(width: 40) == ["ID                  N  EXTRA", "a-very-long-id     12      x", "short               3     yy"])
    }

    @Test func idsShortenWithAnEllipsisBeforeAColumnIsDropped() {
        // 14 + 2 + 5 and two spaces do not fit 20; the id at its soft width (6) does, and gets the room left.
        #expect(lines(width: 20) == ["ID           N EXTRA", "a-very-lon… 12     x", "short        3    yy"])
        #expect(Self.table.layout(for: Self.rows, width: 20).hidden.isEmpty)
    }

    @Test func thenColumnsAreDroppedAndThenIDsShrinkFurther() {
        let layout = Self.table.layout(for: Self.rows, width: 10)
        #expect(layout.hidden == ["EXTRA"])
        #expect(lines(width: 10) == ["ID       N", "a-very… 12", "short    3"])
        #expect(lines(width: 5) == ["ID  N", "a… 12", "s…  3"], "down to one character and the ellipsis")
        #expect(TextTable.fit("abcdef", 4) == "abc…" && TextTable.fit("abc", 4) == "abc")
    }

    @Test func figuresHaveOneFormatEach() {
        #expect([22.224, 0, 10.06].map(TextFormat.rate) == ["22.22/s", "0.00/s", "10.06/s"])
        #expect([21_996, 5, 0, 123_456_789].map(TextFormat.money) == ["219.96", "0.05", "0.00", "1234567.89"])
        #expect([0.0398, nil].map(TextFormat.percent) == ["3.98%", "–"])
        #expect(TextFormat.time(1_790_000_000_250) == "2026-09-21T14:13:20Z")
        #expect(TextFormat.shortTime(1_790_000_000_250, now: 1_790_000_100_000) == "14:13:20Z")
    }
}
