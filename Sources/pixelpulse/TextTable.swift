/// Columns of text cells under a header, printed in full or fitted to a terminal's width.
///
/// Fitting to a width keeps every line within it, in this order of sacrifice: columns
/// shrink from their preferred width to their widest cell; ids (columns with a
/// ``Column/softWidth``) are shortened with an ellipsis to that width; then whole columns
/// are dropped, the lowest ``Column/dropOrder`` first; last, ids shrink further. Room left
/// over goes back to the ids first, then to every column up to its preferred width. A
/// cell is never cut silently: a shortened one ends in `…`.
struct TextTable {
    struct Column {
        var title: String
        var alignsLeft = false
        /// The width of the column in the full table, when its cells are narrower.
        var preferredWidth = 0
        /// For ids: shortened with an ellipsis to this width before any column is dropped.
        var softWidth: Int?
        /// When the table is too wide, columns are dropped lowest first; `nil`: never.
        var dropOrder: Int?
    }

    /// Which columns show, and how wide.
    struct Layout: Equatable {
        /// Index (into ``TextTable/columns``) and width of each column shown, in order.
        var shown: [Slot]
        /// The titles of the columns left out to fit, in column order.
        var hidden: [String]

        /// A column shown: its index in ``TextTable/columns``, and its width.
        struct Slot: Equatable {
            var column: Int
            var width: Int
        }

        var width: Int { shown.reduce(0) { $0 + $1.width } + max(0, shown.count - 1) }
    }

    let columns: [Column]

    /// The narrowest an id may get: one character and the ellipsis.
    static let minimumIDWidth = 2

    /// Every column, as wide as its widest cell or title and at least its preferred width.
    func fullLayout(for rows: [[String]]) -> Layout {
        let natural = naturalWidths(rows)
        return Layout(shown: columns.indices.map { Layout.Slot(column: $0, width: max(natural[$0], columns[$0].preferredWidth)) }, hidden: [])
    }

    /// The columns and widths that fit `width` terminal columns (see the type's discussion).
    func layout(for rows: [[String]], width: Int) -> Layout {
        let natural = naturalWidths(rows)
        let full = fullLayout(for: rows)
        if full.width <= width { return full }
        let droppable = columns.indices.filter { columns[$0].dropOrder != nil }.sorted { columns[$0].dropOrder! < columns[$1].dropOrder! }
        for dropped in 0...droppable.count {
            let gone = Set(droppable.prefix(dropped))
            var widths = columns.indices.filter { !gone.contains($0) }.map { index in
                Layout.Slot(column: index, width: min(natural[index], columns[index].softWidth ?? .max))
            }
            var layout = Layout(shown: widths, hidden: columns.indices.filter(gone.contains).map { columns[$0].title })
            var spare = width - layout.width
            guard spare >= 0 || dropped == droppable.count else { continue }
            if spare < 0 {
                // Nothing left to drop: ids give up what they must, the widest first.
                while spare < 0, let widest = widths.indices.filter({ columns[widths[$0].column].softWidth != nil })
                    .max(by: { widths[$0].width < widths[$1].width }), widths[widest].width > Self.minimumIDWidth {
                    widths[widest].width -= 1
                    spare += 1
                }
                layout.shown = widths
                return layout
            }
            // Room left over: ids back toward their full length, then every column toward its full-table width.
            let ids = widths.indices.filter { columns[widths[$0].column].softWidth != nil }
            for (positions, goal) in [(ids, natural), (Array(widths.indices), full.shown.map(\.width))] {
                for position in positions where spare > 0 {
                    let grow = min(spare, max(0, goal[widths[position].column] - widths[position].width))
                    widths[position].width += grow
                    spare -= grow
                }
            }
            layout.shown = widths
            return layout
        }
        return full
    }

    /// The header line of `layout`.
    func header(_ layout: Layout) -> String {
        line(columns.map(\.title), layout)
    }

    /// One row of cells (one per column of the table) as laid out, trailing spaces trimmed.
    func line(_ cells: [String], _ layout: Layout) -> String {
        let text = layout.shown.map { Self.pad(cells[$0.column], $0.width, left: columns[$0.column].alignsLeft) }.joined(separator: " ")
        return String(text.reversed().drop { $0 == " " }.reversed())
    }

    private func naturalWidths(_ rows: [[String]]) -> [Int] {
        columns.indices.map { index in rows.reduce(columns[index].title.count) { max($0, $1[index].count) } }
    }

    /// `text` in `width` columns, aligned; shortened with an ellipsis when longer.
    static func pad(_ text: String, _ width: Int, left: Bool) -> String {
        let cut = fit(text, width)
        let fill = String(repeating: " ", count: max(0, width - cut.count))
        return left ? cut + fill : fill + cut
    }

    /// `text` if it fits `width`, else its start and an ellipsis in exactly `width` columns.
    static func fit(_ text: String, _ width: Int) -> String {
        guard text.count > width else { return text }
        guard width > 0 else { return "" }
        return String(text.prefix(width - 1)) + "…"
    }
}
