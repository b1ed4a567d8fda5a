import Foundation
import PixelCollector
import PixelCore
import PixelPulseTesting
import Testing
import ZeroMQ

/// Countries from a MaxMind-format database, built for the test by Debian's
/// libmaxmind-db-writer-perl: IPv4, IPv6, IPv4-mapped IPv6, a registered-only network,
/// addresses it does not hold, text that is no address, and a file that is no database.
@Suite struct CountryDatabaseTests {
    @Test func looksUpIPv4AndIPv6() throws {
        let database = try CountryDatabase(path: try TestCountryDatabase.make())
        #expect(database.type == "PixelPulse-Test-Country")
        #expect(database.builtAt > 1_700_000_000)
        #expect(database.country(of: "203.0.113.9")?.description == "DE")
        #expect(database.country(of: "198.51.100.200")?.description == "US")
        #expect(database.country(of: "2001:db8::42")?.description == "JP")
        #expect(database.country(of: "::ffff:203.0.113.9")?.description == "DE", "IPv4-mapped, as a dual-stack socket names it")
        #expect(database.country(of: "192.0.2.1")?.description == "FR", "a registered country when no located one")
        for unknown in ["10.0.0.1", "127.0.0.1", "2001:db9::1", "::1", "", "not an address", "203.0.113.999"] {
            #expect(database.country(of: unknown) == nil, "\(unknown)")
        }
    }

    @Test func aFileThatIsNoDatabaseIsRefusedWithTheReason() throws {
        let folder = FileManager.default.temporaryDirectory.appending(path: "pixelpulse-mmdb-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let garbage = folder.appending(path: "countries.mmdb").path
        try Data("not a database".utf8).write(to: URL(fileURLWithPath: garbage))
        for path in [garbage, folder.appending(path: "missing.mmdb").path] {
            #expect {
                try CountryDatabase(path: path)
            } throws: { error in
                let text = "\(error)"
                return text.hasPrefix("\(path): ") && text.hasSuffix("; give a GeoLite2-Country or DB-IP Lite Country .mmdb file")
            }
        }
    }

    /// The hit's country from the client's address, behind a trusted proxy; the address
    /// itself never reaches the batch.
    @Test func hitsCarryTheirClientsCountry() async throws {
        let path = try TestCountryDatabase.make()
        let context = try Context()
        let ingest = try IngestStandIn.start(context: context)
        let collector = try await RunningCollector.start(ingest: ingest.endpoint, context: context) { configuration in
            configuration.trustForwardedFor = true
            configuration.countryDatabase = try? CountryDatabase(path: path)
        }
        for address in ["203.0.113.7", "2001:db8::7", "10.1.2.3"] {
            let response = try await TestHTTPConnection.request(
                port: collector.port, "GET", "/p/spring/hero.gif", headers: [("X-Forwarded-For", address)])
            #expect(response.status == 200)
        }
        let batches = await ingest.events(count: 3)
        #expect(batches.flatMap(\.hits).map { $0.segments.country?.description } == ["DE", "JP", nil])
        #expect(!batches.flatMap(\.names).contains { $0.contains("203.0.113") }, "no address in the batch")
        try await collector.stop()
    }
}
