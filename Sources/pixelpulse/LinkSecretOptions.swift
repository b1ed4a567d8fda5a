import ArgumentParser
import Foundation
import PixelCollector

/// Where the tracking-link secrets come from, for `collector`, `serve` and `link` alike.
struct LinkSecretOptions: ParsableArguments {
    @Option(help: "File of link secrets, one per line (at least 16 bytes each, # comments): the first signs links and click ids, every one verifies; read again on SIGHUP. (env PIXELPULSE_LINK_SECRETS_FILE, or the secrets themselves comma-separated in PIXELPULSE_LINK_SECRETS; default: link.secret in --spool-dir, else random per process)")
    var linkSecretsFile: String?

    /// The secrets file, when secrets come from one.
    var file: String? { linkSecretsFile ?? environment("PIXELPULSE_LINK_SECRETS_FILE") }

    /// The secrets given, and where from; `nil` when none are.
    ///
    /// - Throws: ``Failure`` for a secrets file that cannot be used;
    ///   `ValidationError` for `PIXELPULSE_LINK_SECRETS` with a short secret, or both given.
    func secrets() throws -> (secrets: [[UInt8]], source: String)? {
        let list = environment("PIXELPULSE_LINK_SECRETS")
        if let file {
            guard list == nil else { throw ValidationError("give --link-secrets-file or PIXELPULSE_LINK_SECRETS, not both") }
            do {
                return (try LinkSecrets.load(file: file), file)
            } catch {
                throw Failure("--link-secrets-file: \(error)")
            }
        }
        guard let list else { return nil }
        return (try Self.secrets(list: list), "PIXELPULSE_LINK_SECRETS")
    }

    /// The secrets of `PIXELPULSE_LINK_SECRETS`: comma-separated, spaces around each left out.
    static func secrets(list: String) throws -> [[UInt8]] {
        let secrets = list.split(separator: ",").map { Array($0.trimmingCharacters(in: .whitespaces).utf8) }.filter { !$0.isEmpty }
        for (index, secret) in secrets.enumerated() where secret.count < LinkKeys.minimumSecretLength {
            throw ValidationError("""
                PIXELPULSE_LINK_SECRETS: secret \(index + 1) holds \(secret.count) bytes; a link secret needs at least \
                \(LinkKeys.minimumSecretLength)
                """)
        }
        guard !secrets.isEmpty else { throw ValidationError("PIXELPULSE_LINK_SECRETS holds no secret") }
        return secrets
    }
}

/// A failure that is no misuse of the command line (a file an option names cannot be used, a
/// destination the collector would refuse): printed as `Error: …` with exit status 1, and
/// without the usage.
struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
