import PixelCore
import PixelSupport

extension FeedTable {
    /// What `watch` shows, as lines: a status line, the table (one line per key and window,
    /// campaigns busiest first, each rollup before its pixels) and the alerts firing.
    ///
    /// With no `screen` (a pipe, `--once`) everything is shown in full. On a screen every
    /// line fits its width (``TextTable``) and the whole its height: keys show fewer
    /// windows (the shortest and the longest stay longest), then the quietest keys give way
    /// to a `… N more` line; a last line names the columns and windows left out.
    ///
    /// - Parameters:
    ///   - source: The feed endpoint, for the status line.
    ///   - windows: The windows to show (all kept when empty).
    ///   - screen: The terminal's size, or `nil` for the full table.
    ///   - now: The wall clock, ms since the Unix epoch (alert times of today show the time only).
    func render(source: String, windows requested: [String], screen: TerminalSize?, now: Int64) -> [String] {
        let windows = requested.isEmpty ? windowsKept : requested.filter(windowsKept.contains)
        let busiest = groups(busiestIn: windows.last).flatMap(\.rows)
        let table = Self.columns(withWindow: true)
        func lines(_ keys: ArraySlice<Row>, _ shown: [String]) -> [[String]] {
            keys.flatMap { row in
                shown.compactMap { name in row.counts(in: name).map { (name: name, counts: $0) } }.enumerated().map { index, window in
                    Self.cells(row, window: window.name, counts: window.counts, showsIDs: index == 0)
                }
            }
        }
        guard let screen else {
            let everything = lines(busiest[...], windows)
            let layout = table.fullLayout(for: everything)
            var text = [status(source: source), "", table.header(layout)] + everything.map { table.line($0, layout) }
            if rows.isEmpty { text.append("(no traffic yet)") }
            return text + [""] + alertLines(limit: nil, now: now)
        }

        let alertLimit = max(1, (screen.rows - 6) / 4)
        let alertBlock = alertLines(limit: alertLimit, now: now)
        // Status, blank, header; blank, alerts; the note when something is left out.
        func budget(note: Bool) -> Int { screen.rows - 4 - alertBlock.count - (note ? 1 : 0) }
        func layOut(note: Bool) -> (fit: (keys: Int, windows: Int), shown: [String], rows: [[String]], layout: TextTable.Layout) {
            let fit = Self.fitRows(keys: busiest.count, windows: windows.count, budget: budget(note: note))
            let shown = Self.byImportance(windows).prefix(fit.windows).sorted { Self.length($0) < Self.length($1) }
            let rows = lines(busiest.prefix(fit.keys), shown)
            return (fit, shown, rows, table.layout(for: rows, width: screen.columns))
        }
        var screenful = layOut(note: false)
        let note = !screenful.layout.hidden.isEmpty || screenful.fit.windows < windows.count
        if note { screenful = layOut(note: true) }
        let (fit, shownWindows, layout) = (screenful.fit, screenful.shown, screenful.layout)
        var text = [status(source: source), "", table.header(layout)]
        text += screenful.rows.map { table.line($0, layout) }
        if rows.isEmpty { text.append("(no traffic yet)") }
        if fit.keys < busiest.count, budget(note: note) > 0 {
            text.append("… \(busiest.count - fit.keys) more, quieter (a taller terminal or --campaign shows them)")
        }
        text += [""] + alertBlock
        var hidden: [String] = []
        if !layout.hidden.isEmpty { hidden.append("columns \(layout.hidden.joined(separator: ", "))") }
        let windowsHidden = windows.filter { !shownWindows.contains($0) }
        if !windowsHidden.isEmpty { hidden.append("windows \(windowsHidden.joined(separator: ", "))") }
        if note, !hidden.isEmpty { text.append("Hidden to fit \(screen): \(hidden.joined(separator: "; ")).") }
        return text.prefix(screen.rows).map { TextTable.fit($0, screen.columns) }
    }

    /// How many windows per key and how many keys fit `budget` lines: every key with as
    /// many windows as fit, down to one; then as many keys as leave a line for `… N more`.
    static func fitRows(keys: Int, windows: Int, budget: Int) -> (keys: Int, windows: Int) {
        guard windows > 0 else { return (keys, 0) }
        for shown in stride(from: windows, through: 1, by: -1) where keys * shown <= budget {
            return (keys, shown)
        }
        return (max(0, budget - 1), 1)
    }

    /// Windows in the order they give way last: the shortest (now), the longest (the
    /// context), then the others, shorter first.
    static func byImportance(_ windows: [String]) -> [String] {
        let sorted = windows.sorted { length($0) < length($1) }
        guard sorted.count > 2 else { return sorted }
        return [sorted.first!, sorted.last!] + sorted.dropFirst().dropLast()
    }

    private func status(source: String) -> String {
        // The least telling last: a narrow screen cuts the end.
        let status = "PixelPulse · \(source)"
        guard let received = heartbeatReceived, let heartbeat else { return status + " · waiting for the aggregator… · seq \(lastSeq)" }
        let seconds = (ContinuousClock.now - received).inSeconds
        return status + (seconds > 3
            ? " · NO HEARTBEAT for \(Int(seconds))s: aggregator down or unreachable"
            : " · ingest \(TextFormat.rate(heartbeat.ingestRate)) · \(heartbeat.activeKeys) active keys") + " · seq \(lastSeq)"
    }

    /// The alerts section; with a `limit`, at most that many lines under its title.
    private func alertLines(limit: Int?, now: Int64) -> [String] {
        guard !alerts.isEmpty else { return ["No alerts firing."] }
        let shown = limit.map { alerts.count > $0 ? $0 - 1 : $0 } ?? alerts.count
        var lines = ["FIRING ALERTS"]
        for alert in alerts.prefix(shown) {
            let since = TextFormat.shortTime(alert.startsAt, now: now)
            lines.append("  \(Self.padded(alert.severity, 9))\(Self.padded(alert.rule, 23))since \(since)  \(alert.summary)")
        }
        if shown < alerts.count { lines.append("  … \(alerts.count - shown) more (pixelpulse alerts lists them all)") }
        return lines
    }

    /// `text` and at least one space, to `width` columns; never cut.
    private static func padded(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(1, width - text.count))
    }
}
