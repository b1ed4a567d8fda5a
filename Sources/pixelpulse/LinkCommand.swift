import ArgumentParser
import Foundation
import PixelCollector
import PixelCore

struct LinkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "link",
        abstract: "Sign a tracking link, and print the conversion tag and postback URL that go with it.",
        discussion: """
            Signs with the collector's secrets: its --link-secrets-file (or
            PIXELPULSE_LINK_SECRETS), or the link.secret it keeps in its --spool-dir.
            A destination the collector would refuse is refused, with its reason.
            For example:
              pixelpulse link --campaign spring-sale --link mail --pixels spring \\
                --to 'https://shop.example/spring?utm_source=mail' \\
                --base-url https://px.example.com --link-secrets-file link.secrets
            """)

    @Option(help: "The campaign the clicks count on.")
    var campaign: String

    @Option(help: "The link's id in the campaign: clicks count on campaign × link, as pixels do.")
    var link: String

    @Option(help: "Where the link sends people: an absolute http:// or https:// URL.")
    var to: String

    @Option(help: "A pixel set the link fires on its way (a name in the collector's --pixel-sets file).")
    var pixels: String?

    @Option(help: "The collector's public base URL.")
    var baseURL: String = "http://127.0.0.1:8080"

    @OptionGroup var linkSecrets: LinkSecretOptions

    @Option(help: "A collector's spool folder, to sign with the link.secret it keeps there. (env PIXELPULSE_SPOOL_DIR)")
    var spoolDir: String?

    @Option(help: "The collector's pixel-set file, to check that --pixels names a set in it. (env PIXELPULSE_PIXEL_SETS)")
    var pixelSets: String?

    func validate() throws { _ = try lines() }

    func run() throws {
        for line in try lines() { say(line) }
    }

    /// The signed link, the conversion tag and the postback URL, labelled.
    func lines() throws -> [String] {
        let campaign: CampaignID
        let linkID: PixelID
        do {
            campaign = try CampaignID(validating: self.campaign)
            linkID = try PixelID(validating: self.link)
        } catch {
            throw ValidationError("--campaign and --link: \(error)")
        }
        var pixelSet: PixelSetName?
        if let pixels {
            guard let name = PixelSetName(rawValue: pixels) else { throw ValidationError("--pixels: a set's name is 1-64 of A-Z a-z 0-9 - _ .") }
            pixelSet = name
        }
        let base = try Self.base(baseURL)
        let destination: Destination
        do {
            destination = try Destination(validating: to)
        } catch {
            throw Failure("tracking link refused: \(error)")
        }
        if let pixelSet, let file = pixelSets ?? environment("PIXELPULSE_PIXEL_SETS") {
            let sets: PixelSets
            do { sets = try PixelSetFile(path: file).load() } catch { throw Failure("--pixel-sets: \(error)") }
            guard sets[pixelSet] != nil else { throw Failure("--pixels: \(file) has no set \"\(pixelSet)\"") }
        }
        let link = TrackingLink(campaign: campaign, link: linkID, destination: destination, pixelSet: pixelSet)
        return [
            "link: \(link.url(base: base, keys: try keys()))",
            #"conversion tag: <img src="\#(base)/p/\#(campaign)/\#(linkID).gif?e=conversion&v={VALUE}&id={ORDER_ID}" width="1" height="1" alt="">"#,
            "postback: \(base)/v1/postback?click_id={PPCLID}&event_id={ORDER_ID}&value={VALUE}&token={TOKEN}",
        ]
    }

    /// The keys the collector signs with.
    private func keys() throws -> LinkKeys {
        if let given = try linkSecrets.secrets() { return LinkKeys(secrets: given.secrets) }
        if let spool = spoolDir ?? environment("PIXELPULSE_SPOOL_DIR") {
            let secret: [UInt8]?
            do { secret = try LinkSecrets.spoolSecret(in: URL(fileURLWithPath: spool)) } catch { throw Failure("\(error)") }
            guard let secret else {
                throw Failure("\(spool) holds no \(LinkSecrets.spoolFileName) yet: a collector makes it at its first start with --spool-dir \(spool)")
            }
            return LinkKeys(secrets: [secret])
        }
        throw Failure("""
            no link secret: give the collector's --link-secrets-file (or PIXELPULSE_LINK_SECRETS), or its --spool-dir \
            that keeps \(LinkSecrets.spoolFileName)
            """)
    }

    /// `https://px.example.com` or with a path prefix, without a trailing slash.
    private static func base(_ text: String) throws -> String {
        let trimmed = text.hasSuffix("/") ? String(text.dropLast()) : text
        guard let base = try? Destination(validating: trimmed), !base.url.contains("?"), !base.url.contains("#") else {
            throw ValidationError("--base-url must be the collector's http:// or https:// URL, without a query, got \"\(text)\"")
        }
        return base.url
    }
}
