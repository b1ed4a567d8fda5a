public import Foundation
import Logging

/// Finds the secrets tracking links and click ids are signed with.
///
/// In order: ``CollectorConfiguration/linkSecrets`` (from `--link-secrets-file` or
/// `PIXELPULSE_LINK_SECRETS`); `link.secret` in ``CollectorConfiguration/spoolDirectory``,
/// made on the first start as `visitor.secret` is (see ``SecretFile``); else a random
/// secret for this process alone, with a notice that the links and click ids it signs stop
/// verifying at a restart.
public enum LinkSecrets {
    /// The file kept in the spool directory.
    public static let spoolFileName = "link.secret"

    /// The secrets of a secrets file: one per line, the first signs; blank lines and lines
    /// starting with `#` are skipped, trailing spaces are not part of a secret.
    ///
    /// - Throws: ``SecretFileError`` for a missing or unreadable file, one with no secret,
    ///   or a line shorter than ``LinkKeys/minimumSecretLength``.
    public static func load(file path: String) throws(SecretFileError) -> [[UInt8]] {
        let noun = "link secrets"
        guard let bytes = try SecretFile.contents(path, noun: noun) else {
            throw SecretFileError(noun, path: path, problem: "does not exist (make one with `openssl rand -hex 32 > \(path)`)")
        }
        var secrets: [[UInt8]] = []
        for (number, line) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let secret = SecretFile.trimmed(line.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") })
            if secret.isEmpty || secret.first == UInt8(ascii: "#") { continue }
            guard secret.count >= LinkKeys.minimumSecretLength else {
                throw SecretFileError(noun, path: path, problem: """
                    line \(number + 1) holds \(secret.count) bytes; a link secret needs at least \(LinkKeys.minimumSecretLength)
                    """)
            }
            secrets.append(Array(secret))
        }
        guard !secrets.isEmpty else {
            throw SecretFileError(noun, path: path, problem: "holds no secret (one per line, the first signs; make one with `openssl rand -hex 32`)")
        }
        return secrets
    }

    /// The secret the collector keeps in `directory`, `nil` when it has made none yet.
    public static func spoolSecret(in directory: URL) throws(SecretFileError) -> [UInt8]? {
        try SecretFile.load(directory.appending(path: spoolFileName).path, noun: "link secret")
    }

    /// The keys to sign and verify links with; logs where they came from.
    static func resolve(_ configuration: CollectorConfiguration, logger: Logger) throws(SecretFileError) -> LinkKeys {
        if let secrets = configuration.linkSecrets { return LinkKeys(secrets: secrets) }
        if let directory = configuration.spoolDirectory {
            let path = directory.appending(path: spoolFileName).path
            if let secret = try spoolSecret(in: directory) {
                logger.info("Link secret read", metadata: ["link_secret.file": "\(path)"])
                return LinkKeys(secrets: [secret])
            }
            let secret = try SecretFile.create(path, in: directory, noun: "link secret")
            logger.notice("Link secret created; sign links with it (pixelpulse link --spool-dir), and give it to every collector that answers them", metadata: [
                "link_secret.file": "\(path)"])
            return LinkKeys(secrets: [secret])
        }
        logger.notice("""
            Link secret is random for this process; the links and click ids it signs stop verifying after a restart \
            (keep one with --spool-dir or --link-secrets-file)
            """)
        return LinkKeys(secrets: [VisitorHasher.randomSecret()])
    }
}
