import Foundation
import Logging

/// Finds the secret the visitor hashes are keyed with, so that a returning visitor hashes
/// the same after a restart, and on every collector that shares the secret.
///
/// In order: ``CollectorConfiguration/visitorSecret``; the file
/// ``CollectorConfiguration/visitorSecretFile``, which must exist; `visitor.secret` in
/// ``CollectorConfiguration/spoolDirectory``, made on the first start (32 random bytes
/// as 64 hexadecimal digits and a newline, mode 0600); else a random secret for this
/// process alone, with a notice that unique visitors start over at every restart.
///
/// A file's secret is its bytes without trailing spaces and newlines (see ``SecretFile``),
/// so the text of a collector's `visitor.secret` may be given to another collector as its
/// secret.
enum VisitorSecret {
    /// The file kept in the spool directory.
    static let spoolFileName = "visitor.secret"

    /// The secret to key visitor hashes with; logs where it came from.
    ///
    /// - Throws: ``SecretFileError`` when a file is missing (the given one), cannot be
    ///   read or made, or does not hold a secret.
    static func resolve(_ configuration: CollectorConfiguration, logger: Logger) throws(SecretFileError) -> [UInt8] {
        if let secret = configuration.visitorSecret { return secret }
        if let file = configuration.visitorSecretFile {
            guard let secret = try load(file.path) else {
                throw SecretFileError(noun, path: file.path, problem: "does not exist (make one with `openssl rand -hex 32 > \(file.path)`)")
            }
            logger.info("Visitor secret read", metadata: ["visitor_secret.file": "\(file.path)"])
            return secret
        }
        if let directory = configuration.spoolDirectory {
            let path = directory.appending(path: spoolFileName).path
            if let secret = try load(path) {
                logger.info("Visitor secret read", metadata: ["visitor_secret.file": "\(path)"])
                return secret
            }
            let secret = try create(path, in: directory)
            logger.notice("Visitor secret created; give the same to every collector that counts the same visitors", metadata: [
                "visitor_secret.file": "\(path)"])
            return secret
        }
        logger.notice("""
            Visitor secret is random for this process; unique visitors count again after a restart \
            (keep one with --spool-dir, --visitor-secret-file or --visitor-secret)
            """)
        return VisitorHasher.randomSecret()
    }

    /// The secret in the file at `path`, or `nil` if there is no such file.
    static func load(_ path: String) throws(SecretFileError) -> [UInt8]? {
        try SecretFile.load(path, noun: noun)
    }

    /// Makes a new secret file at `path` (see ``SecretFile/create(_:in:noun:)``).
    static func create(_ path: String, in directory: URL) throws(SecretFileError) -> [UInt8] {
        try SecretFile.create(path, in: directory, noun: noun)
    }

    private static let noun = "visitor secret"
}
