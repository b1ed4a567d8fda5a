import ArgumentParser
import Foundation
import PixelCollector
import PixelCore
@testable import pixelpulse
import Testing

/// The collector's options for tracking links: secrets, the allowlist, pixel sets.
extension CollectorOptionsTests {
    /// The message of the ``Failure`` that `body` throws (printed as `Error: …`, exit 1).
    func failure<R>(sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> R) -> String? {
        #expect(throws: Failure.self, sourceLocation: sourceLocation) { try body() }?.description
    }

    @Test func linkSettingsReachTheConfiguration() throws {
        let defaults = try configuration([])
        #expect(defaults.linkSecrets == nil)
        #expect(defaults.linkAllowedHosts.isEmpty)
        #expect(defaults.pixelSets.count == 0)

        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let secrets = try folder.write("# rotated on 2026-11-30\nthe-new-secret-0123456789\n\n  the-old-secret-0123456789  \n", to: "links.secrets")
        let sets = try folder.write("sets:\n  spring:\n    - meta: \"1234567890\"\n", to: "sets.yaml")
        let configuration = try configuration([
            "--link-secrets-file", secrets, "--link-allow-hosts", "shop.example, *.shop.example", "--pixel-sets", sets,
        ])
        #expect(configuration.linkSecrets == [Array("the-new-secret-0123456789".utf8), Array("the-old-secret-0123456789".utf8)])
        #expect(configuration.linkAllowedHosts == (try LinkAllowlist(parsing: "*.shop.example,shop.example")))
        #expect(configuration.pixelSets["spring"] == [.meta("1234567890")])
        let options = try CollectorOptions.parse(["--link-secrets-file", secrets, "--pixel-sets", sets])
        #expect(options.linkSecrets.file == secrets)
        #expect(options.pixelSetFile?.path == sets)
    }

    /// A broken file is a failure naming the file (and its line), not a usage error.
    @Test func brokenLinkFilesAreRefusedWithWhereAndWhy() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let short = try folder.write("the-new-secret-0123456789\nshort\n", to: "short.secrets")
        let empty = try folder.write("# nothing yet\n\n", to: "empty.secrets")
        let sets = try folder.write("sets:\n  spring:\n    - meta: \"1234567890\"\n    - image: \"javascript:alert(1)\"\n", to: "sets.yaml")
        let missing = folder.path("missing.yaml")
        let cases: [([String], String)] = [
            (["--link-secrets-file", short], "--link-secrets-file: link secrets file \(short) line 2 holds 5 bytes; a link secret needs at least 16"),
            (["--link-secrets-file", empty], "--link-secrets-file: link secrets file \(empty) holds no secret"),
            (["--link-secrets-file", folder.path("none")], "--link-secrets-file: link secrets file \(folder.path("none")) does not exist"),
            (["--pixel-sets", sets], "--pixel-sets: \(sets):4: set \"spring\", image: the image URL has a scheme other than http and https"),
            (["--pixel-sets", missing], "--pixel-sets: \(missing): cannot read the file"),
        ]
        for (arguments, message) in cases {
            let options = try CollectorOptions.parse(["--collector-id", "edge-1"] + arguments)
            let text = failure { try options.configuration(ingestEndpoint: Self.loopback, plain: false) }
            #expect(text?.hasPrefix(message) == true, "\(text ?? "nil")")
        }
    }

    @Test(arguments: [
        (["--link-allow-hosts", "https://shop.example"],
         #"--link-allow-hosts: "https://shop.example" is not a host name or *.host name (no scheme, port or path)"#),
        (["--link-allow-hosts", "shop.example:443"],
         #"--link-allow-hosts: "shop.example:443" is not a host name or *.host name (no scheme, port or path)"#),
        (["--link-allow-hosts", "*"], #"--link-allow-hosts: "*" is not a host name or *.host name (no scheme, port or path)"#),
    ])
    func badLinkSettingsAreRefused(arguments: [String], message: String) throws {
        #expect(try refusal(["--collector-id", "edge-1"] + arguments) == message)
    }

    @Test func theSecretsOfTheEnvironmentAreCommaSeparated() throws {
        #expect(try LinkSecretOptions.secrets(list: " the-new-secret-0123456789 , the-old-secret-0123456789,")
            == [Array("the-new-secret-0123456789".utf8), Array("the-old-secret-0123456789".utf8)])
        #expect(validationMessage { try LinkSecretOptions.secrets(list: "the-new-secret-0123456789,hunter2") }
            == "PIXELPULSE_LINK_SECRETS: secret 2 holds 7 bytes; a link secret needs at least 16")
        #expect(validationMessage { try LinkSecretOptions.secrets(list: " , ") } == "PIXELPULSE_LINK_SECRETS holds no secret")
    }
}
