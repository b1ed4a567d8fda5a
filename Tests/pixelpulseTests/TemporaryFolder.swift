import Foundation
@testable import pixelpulse
import ZeroMQ

/// A folder of one test's files (key files, rule files); the test removes it with a
/// `defer { folder.remove() }`.
struct TemporaryFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appending(path: "pixelpulse-options-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appending(path: name).path }

    /// Writes `NAME.key` and `NAME.pub` as `pixelpulse keys --name NAME` does.
    @discardableResult
    func makeKeys(_ name: String) throws -> CurveKeyPair {
        let pair = try CurveKeyPair.generate()
        _ = try KeyFiles.write(pair, name: name, folder: url)
        return pair
    }

    /// Writes `text` to the file `name`, and returns its path.
    func write(_ text: String, to name: String) throws -> String {
        try Data(text.utf8).write(to: url.appending(path: name))
        return path(name)
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}
