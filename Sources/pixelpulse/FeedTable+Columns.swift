import PixelCore

extension FeedTable {
    /// The columns of a stats table, with the window's column (`watch`) or without (`top`).
    ///
    /// Narrow terminals drop UNIQUES first, then VALUE, CVR, CONV, CTR and CLICKS; the ids
    /// are shortened with an ellipsis to 16 and 14 characters before that. VALUE is the
    /// conversion value in currency units: the minor units of the feed divided by 100.
    static func columns(withWindow: Bool) -> TextTable {
        var columns: [TextTable.Column] = [
            .init(title: "CAMPAIGN", alignsLeft: true, preferredWidth: 16, softWidth: 16),
            .init(title: "PIXEL", alignsLeft: true, preferredWidth: 14, softWidth: 14),
            .init(title: "VIEWS", preferredWidth: 10),
            .init(title: "CLICKS", preferredWidth: 8, dropOrder: 6),
            .init(title: "CONV", preferredWidth: 7, dropOrder: 4),
            .init(title: valueTitle, preferredWidth: 11, dropOrder: 2),
            .init(title: "UNIQUES", preferredWidth: 12, dropOrder: 1),
            .init(title: "CTR", preferredWidth: 7, dropOrder: 5),
            .init(title: "CVR", preferredWidth: 7, dropOrder: 3),
        ]
        if withWindow { columns.insert(.init(title: "WINDOW", alignsLeft: true, preferredWidth: 6), at: 2) }
        return TextTable(columns: columns)
    }

    /// An estimate with its standard error (`903 ±10`) once that is a visitor or more; blank
    /// for a pixel.
    static func uniques(_ counts: WindowStats) -> String {
        guard let uniques = counts.uniques else { return "" }
        guard let error = counts.uniquesError, error > 0 else { return "\(uniques)" }
        return "\(uniques) ±\(error)"
    }

    /// The VALUE column's title: it shows minor units ÷ 100.
    static let valueTitle = "VALUE ÷100"

    /// One line's cells for `columns(withWindow:)`: the ids (blank when `showsIDs` is false,
    /// for a key's later windows), the window if given, then the counts.
    static func cells(_ row: Row, window: String?, counts: WindowStats, showsIDs: Bool = true) -> [String] {
        var cells = [showsIDs ? row.campaign : "", showsIDs ? row.pixel ?? "(all)" : ""]
        if let window { cells.append(window) }
        return cells + [
            "\(counts.views)", "\(counts.clicks)", "\(counts.conversions)", TextFormat.money(counts.value),
            uniques(counts), TextFormat.percent(counts.ctr), TextFormat.percent(counts.cvr),
        ]
    }
}
