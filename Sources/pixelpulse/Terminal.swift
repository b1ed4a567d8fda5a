import Foundation

/// A terminal's size in character cells.
struct TerminalSize: Hashable, Sendable, CustomStringConvertible {
    var columns: Int
    var rows: Int

    var description: String { "\(columns)×\(rows)" }
}

/// The terminal that standard output writes to, when it is one: its size, and the escape
/// sequences of a full-screen view that redraws in place.
enum Terminal {
    /// The size of the terminal at `descriptor` (`ioctl(TIOCGWINSZ)`); `nil` when it is no
    /// terminal, or reports no size.
    static func size(of descriptor: Int32 = STDOUT_FILENO) -> TerminalSize? {
        guard isatty(descriptor) == 1 else { return nil }
        var size = winsize()
        guard withUnsafeMutablePointer(to: &size, { ioctl(descriptor, UInt(TIOCGWINSZ), $0) }) == 0,
              size.ws_col > 0, size.ws_row > 0 else { return nil }
        return TerminalSize(columns: Int(size.ws_col), rows: Int(size.ws_row))
    }

    /// Switches to the alternate screen and hides the cursor, as full-screen programs do.
    static let enterFullScreen = "\u{1B}[?1049h\u{1B}[?25l"
    /// Shows the cursor and goes back to the normal screen, as it was. The alternate screen
    /// is cleared first: tmux, resized meanwhile, brings some of its lines back otherwise.
    static let leaveFullScreen = "\u{1B}[H\u{1B}[2J\u{1B}[?25h\u{1B}[?1049l"

    /// A whole screen of `rows` rows: each of `lines` (already fitted to the width and
    /// height) on its own row from the top, replacing what the row held, and the rows below
    /// cleared. Every row is placed by position, so no line feed can scroll the screen.
    static func frame(_ lines: [String], rows: Int) -> String {
        var text = ""
        for (row, line) in lines.prefix(rows).enumerated() {
            text += "\u{1B}[\(row + 1);1H\u{1B}[2K" + line
        }
        return lines.count < rows ? text + "\u{1B}[\(lines.count + 1);1H\u{1B}[J" : text
    }

    /// Writes `text` to standard output at once.
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
