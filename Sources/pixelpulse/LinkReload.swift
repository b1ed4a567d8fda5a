import Logging
import PixelCollector

/// The collector's link secrets file and pixel-set file, read again on SIGHUP: links and
/// click ids signed by a secret still listed keep verifying.
struct LinkReload: HangupReload {
    let secretsFile: String?
    let pixelSets: PixelSetFile?
    let collector: Collector
    let logger: Logger

    func reload() async {
        guard secretsFile != nil || pixelSets != nil, let links = try? await collector.links else { return }
        if let secretsFile {
            do {
                let secrets = try LinkSecrets.load(file: secretsFile)
                links.replaceKeys(LinkKeys(secrets: secrets))
                say("link secrets: \(Self.count(secrets.count, "secret")) loaded from \(secretsFile) (the first signs)")
            } catch {
                logger.error("Link secrets not reloaded", metadata: ["error": "\(error)"])
                say("link secrets not reloaded: \(error); keeping the \(Self.count(links.keys.count, "secret")) in force")
            }
        }
        if let pixelSets {
            do {
                let sets = try pixelSets.load()
                links.replacePixelSets(sets)
                say("pixel sets: \(sets.count) loaded from \(pixelSets.path)")
            } catch {
                logger.error("Pixel sets not reloaded", metadata: ["error": "\(error)"])
                say("pixel sets not reloaded: \(error); keeping the \(Self.count(links.pixelSets.count, "set")) in force")
            }
        }
    }

    /// `1 secret`, `2 secrets`.
    static func count(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }
}
