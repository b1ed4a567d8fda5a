import Foundation
@testable import PixelCollector
import PixelCore
import Testing

/// Where the link secrets come from when none are given: the spool keeps one, else each
/// process draws its own and says so.
@Suite struct LinkSecretsTests {
    private func configuration(spool: URL? = nil) -> CollectorConfiguration {
        var configuration = CollectorConfiguration(ingestEndpoint: "tcp://127.0.0.1:1", collectorID: "test-edge")
        configuration.spoolDirectory = spool
        return configuration
    }

    @Test func aSpoolKeepsOneSecretAcrossStarts() throws {
        let spool = FileManager.default.temporaryDirectory.appending(path: "pixelpulse-links-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: spool) }
        let logs = LogCapture()
        let first = try LinkSecrets.resolve(configuration(spool: spool), logger: logs.logger)
        let second = try LinkSecrets.resolve(configuration(spool: spool), logger: logs.logger)
        let click = ClickID(campaign: "c", link: "l", time: 1, nonce: 2)
        #expect(try ClickID(token: click.token(keys: first), keys: second) == click)
        let path = spool.appending(path: "link.secret").path
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == 0o600)
        #expect(try LinkSecrets.spoolSecret(in: spool)?.count == 64)
        _ = try VisitorSecret.resolve(configuration(spool: spool), logger: logs.logger)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) != Data(contentsOf: spool.appending(path: "visitor.secret")), "its own secret")
    }

    @Test func withoutOneEachProcessDrawsItsOwnAndSaysSo() async throws {
        let logs = LogCapture()
        let keys = try LinkSecrets.resolve(configuration(), logger: logs.logger)
        #expect(await logs.line(containing: "Link secret is random for this process")?.hasPrefix("notice") == true)
        let other = try LinkSecrets.resolve(configuration(), logger: LogCapture().logger)
        #expect(throws: ClickIDError.badSignature) {
            try ClickID(token: ClickID(campaign: "c", link: "l", time: 1, nonce: 2).token(keys: keys), keys: other)
        }
        var given = configuration()
        given.linkSecrets = [Array("given-secret-0123456789".utf8)]
        #expect(try LinkSecrets.resolve(given, logger: logs.logger).count == 1)
        given.linkSecrets = [Array("short".utf8)]
        #expect(given.problem == "linkSecrets must hold at least one secret, each at least 16 bytes")
    }
}
