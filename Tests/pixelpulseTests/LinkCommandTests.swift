import ArgumentParser
import Foundation
import PixelCollector
import PixelCore
@testable import pixelpulse
import Testing

/// `pixelpulse link`: a signed link the collector accepts, and the tags that go with it.
@Suite(.withoutPixelPulseEnvironment)
struct LinkCommandTests {
    static let secret = "the-new-secret-0123456789"

    func lines(_ arguments: [String]) throws -> [String] {
        try LinkCommand.parse(arguments).lines()
    }

    /// What `pixelpulse link` prints for `arguments` it refuses, and its exit status.
    func refusal(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) -> (message: String, status: Int32)? {
        do {
            _ = try LinkCommand.parse(arguments)
            Issue.record("accepted \(arguments)", sourceLocation: sourceLocation)
            return nil
        } catch {
            return (LinkCommand.message(for: error), LinkCommand.exitCode(for: error).rawValue)
        }
    }

    @Test func printsTheSignedLinkTheConversionTagAndThePostbackTemplate() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let secrets = try folder.write("\(Self.secret)\nthe-old-secret-0123456789\n", to: "links.secrets")
        let output = try lines([
            "--campaign", "spring-sale", "--link", "hero", "--to", "https://Shop.example/spring?utm_source=mail#top", "--pixels", "spring",
            "--base-url", "https://px.example.com/", "--link-secrets-file", secrets,
        ])
        try #require(output.count == 3)
        let prefix = "link: https://px.example.com/r/spring-sale/hero?to=https%3A%2F%2Fshop.example%2Fspring%3Futm_source%3Dmail%23top&px=spring&sig="
        #expect(output[0].hasPrefix(prefix))
        let link = TrackingLink(
            campaign: "spring-sale", link: "hero", destination: try Destination(validating: "https://shop.example/spring?utm_source=mail#top"),
            pixelSet: "spring")
        let signature = String(output[0].dropFirst(prefix.count))
        #expect(link.isSigned(by: signature, keys: LinkKeys(secrets: [Array(Self.secret.utf8)])))
        #expect(output[1] == #"conversion tag: <img src="https://px.example.com/p/spring-sale/hero.gif?e=conversion&v={VALUE}&id={ORDER_ID}" width="1" height="1" alt="">"#)
        #expect(output[2] == "postback: https://px.example.com/v1/postback?click_id={PPCLID}&event_id={ORDER_ID}&value={VALUE}&token={TOKEN}")

        let local = try lines(["--campaign", "c", "--link", "l", "--to", "https://shop.example/", "--link-secrets-file", secrets])
        #expect(local[0].hasPrefix("link: http://127.0.0.1:8080/r/c/l?to=https%3A%2F%2Fshop.example%2F&sig="))
    }

    @Test func signsWithTheSecretACollectorKeepsInItsSpool() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let none = refusal(["--campaign", "c", "--link", "l", "--to", "https://shop.example/", "--spool-dir", folder.url.path])
        #expect(none?.message == "\(folder.url.path) holds no link.secret yet: a collector makes it at its first start with --spool-dir \(folder.url.path)")
        #expect(none?.status == 1)
        _ = try folder.write("0123456789abcdef0123456789abcdef\n", to: "link.secret")
        let output = try lines(["--campaign", "c", "--link", "l", "--to", "https://shop.example/", "--spool-dir", folder.url.path])
        let signature = String(output[0].split(separator: "&sig=")[1])
        let link = TrackingLink(campaign: "c", link: "l", destination: try Destination(validating: "https://shop.example/"))
        #expect(link.isSigned(by: signature, keys: LinkKeys(secrets: [Array("0123456789abcdef0123456789abcdef".utf8)])))
    }

    /// A destination the collector would refuse, refused with the collector's reason.
    @Test func refusesWhatTheCollectorWouldRefuse() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let secrets = try folder.write("\(Self.secret)\n", to: "links.secrets")
        let sets = try folder.write("sets:\n  spring:\n    - meta: \"1234567890\"\n", to: "sets.yaml")
        let failures: [([String], String)] = [
            (["--to", "https://good.com@evil.com"], "tracking link refused: the destination has a user name or password (user@host)"),
            (["--to", "//evil.com"], "tracking link refused: the destination is not an absolute http:// or https:// URL"),
            (["--to", "javascript:alert(1)"], "tracking link refused: the destination has a scheme other than http and https"),
            (["--to", "https://shop.example/", "--pixels", "autumn", "--pixel-sets", sets], "--pixels: \(sets) has no set \"autumn\""),
        ]
        for (arguments, message) in failures {
            let refused = refusal(["--campaign", "c", "--link", "l", "--link-secrets-file", secrets] + arguments)
            #expect(refused?.message == message)
            #expect(refused?.status == 1, "a failure, not a usage error")
        }
        let usage: [([String], String)] = [
            (["--campaign", "c x", "--link", "l"], "--campaign and --link: identifier has byte 0x20 at offset 1; allowed are A-Z a-z 0-9 - _ ."),
            (["--campaign", "c", "--link", "l", "--pixels", "a/b"], "--pixels: a set's name is 1-64 of A-Z a-z 0-9 - _ ."),
            (["--campaign", "c", "--link", "l", "--base-url", "https://px.example.com/?x=1"],
             #"--base-url must be the collector's http:// or https:// URL, without a query, got "https://px.example.com/?x=1""#),
        ]
        for (arguments, message) in usage {
            let refused = refusal(["--to", "https://shop.example/", "--link-secrets-file", secrets] + arguments)
            #expect(refused?.message == message)
            #expect(refused?.status == ExitCode.validationFailure.rawValue)
        }
        #expect(refusal(["--campaign", "c", "--link", "l", "--to", "https://shop.example/"])?.message.hasPrefix("no link secret: ") == true)
    }

    @Test func isASubcommand() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let secrets = try folder.write("\(Self.secret)\n", to: "links.secrets")
        #expect(try PixelPulse.parseAsRoot(["link", "--campaign", "c", "--link", "l", "--to", "https://shop.example/", "--link-secrets-file", secrets])
            is LinkCommand)
    }
}
