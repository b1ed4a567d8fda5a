import Foundation
import PixelCollector
@testable import pixelpulse
import Testing

/// The collector's options for pages and returning visitors: CORS origins and the visitor
/// secret file.
extension CollectorOptionsTests {
    @Test func corsOriginsAndTheSecretFileReachTheConfiguration() throws {
        let defaults = try configuration([])
        #expect(defaults.allowedOrigins == .any)
        #expect(defaults.visitorSecretFile == nil)
        let configuration = try configuration([
            "--cors-origins", "https://shop.example, https://www.shop.example:8443", "--visitor-secret-file", "/run/secrets/visitor",
        ])
        #expect(configuration.allowedOrigins == .only(["https://shop.example", "https://www.shop.example:8443"]))
        #expect(configuration.visitorSecretFile?.path == "/run/secrets/visitor")
        #expect(configuration.visitorSecret == nil)
        #expect(try self.configuration(["--cors-origins", "*"]).allowedOrigins == .any)
    }

    @Test(arguments: [
        (["--cors-origins", "https://shop.example/"],
         #"--cors-origins: "https://shop.example/" is not an origin: give scheme://host[:port], no path, such as https://shop.example"#),
        (["--cors-origins", "*,https://shop.example"], "--cors-origins: * stands alone: it allows every origin"),
        (["--cors-origins", ","], "--cors-origins: give * or a comma-separated list of origins"),
        (["--visitor-secret", "s3cret", "--visitor-secret-file", "/run/secrets/visitor"],
         "give --visitor-secret or --visitor-secret-file, not both"),
    ])
    func badBrowserSettingsAreRefused(arguments: [String], message: String) throws {
        #expect(try refusal(["--collector-id", "edge-1"] + arguments) == message)
    }
}
