import Foundation

/// A tiny country database written by `make_country_mmdb.pl` (Debian's
/// `libmaxmind-db-writer-perl`, which `Deploy/setup` installs): 203.0.113.0/24 is DE,
/// 198.51.100.0/24 US, 2001:db8::/32 JP, 192.0.2.0/24 only registered in FR.
public enum TestCountryDatabase {
    /// Writes the database into a new temporary folder and returns its path.
    public static func make() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appending(path: "pixelpulse-mmdb-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appending(path: "countries.mmdb").path
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appending(path: "make_country_mmdb.pl").path
        let perl = Process()
        perl.executableURL = URL(fileURLWithPath: "/usr/bin/perl")
        perl.arguments = [script, path]
        let errors = Pipe()
        perl.standardError = errors
        try perl.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        perl.waitUntilExit()
        guard perl.terminationStatus == 0 else {
            throw TestCountryDatabaseError(message: "make_country_mmdb.pl failed (install libmaxmind-db-writer-perl; Deploy/setup does): \(message)")
        }
        return path
    }
}

struct TestCountryDatabaseError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
