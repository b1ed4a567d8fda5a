import Foundation
import Logging
import PixelSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds the secret the visitor hashes are keyed with, so that a returning visitor hashes
/// the same after a restart, and on every collector that shares the secret.
///
/// In order: ``CollectorConfiguration/visitorSecret``; the file
/// ``CollectorConfiguration/visitorSecretFile``, which must exist; `visitor.secret` in
/// ``CollectorConfiguration/spoolDirectory``, made on the first start (32 random bytes
/// as 64 hexadecimal digits and a newline, mode 0600); else a random secret for this
/// process alone, with a notice that unique visitors start over at every restart.
///
/// A file's secret is its bytes without trailing spaces and newlines, so a file holding
/// `s3cret-…\n` keys the same hashes as `visitorSecret` `s3cret-…`: the text of a
/// collector's `visitor.secret` may be given to another collector as its secret.
enum VisitorSecret {
    /// The file kept in the spool directory.
    static let spoolFileName = "visitor.secret"
    /// The fewest bytes a secret file may hold, trailing whitespace aside.
    static let minimumLength = 16
    /// The most bytes a secret file may hold: a bigger one is some other file.
    static let maximumFileSize = 4096

    /// The secret to key visitor hashes with; logs where it came from.
    ///
    /// - Throws: ``VisitorSecretError`` when a file is missing (the given one), cannot be
    ///   read or made, or does not hold a secret.
    static func resolve(_ configuration: CollectorConfiguration, logger: Logger) throws(VisitorSecretError) -> [UInt8] {
        if let secret = configuration.visitorSecret { return secret }
        if let file = configuration.visitorSecretFile {
            guard let secret = try load(file.path) else {
                throw VisitorSecretError(path: file.path, problem: "does not exist (make one with `openssl rand -hex 32 > \(file.path)`)")
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
    static func load(_ path: String) throws(VisitorSecretError) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            let code = errno
            if code == ENOENT { return nil }
            throw VisitorSecretError(path: path, problem: "cannot be opened: \(describe(code))")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw VisitorSecretError(path: path, problem: "cannot be examined: \(describe(errno))")
        }
        guard status.st_mode & S_IFMT == S_IFREG else { throw VisitorSecretError(path: path, problem: "is not a regular file") }
        var bytes = [UInt8](repeating: 0, count: maximumFileSize + 1)
        var count = 0
        while count < bytes.count {
            let got = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + count, $0.count - count) }
            if got < 0, errno == EINTR { continue }
            guard got >= 0 else { throw VisitorSecretError(path: path, problem: "cannot be read: \(describe(errno))") }
            if got == 0 { break }
            count += got
        }
        guard count <= maximumFileSize else {
            throw VisitorSecretError(path: path, problem: "is over \(maximumFileSize) bytes: not a visitor secret")
        }
        var secret = bytes[..<count]
        while let last = secret.last, [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n")].contains(last) {
            secret = secret.dropLast()
        }
        guard secret.count >= minimumLength else {
            throw VisitorSecretError(path: path, problem: """
                holds \(secret.count) bytes; a visitor secret needs at least \(minimumLength) \
                (make one with `openssl rand -hex 32 > \(path)`)
                """)
        }
        return Array(secret)
    }

    /// Makes a new secret file at `path`: written whole to a temporary file, then linked
    /// into place, so a crash never leaves a part of one, and a file another process made
    /// first wins.
    static func create(_ path: String, in directory: URL) throws(VisitorSecretError) -> [UInt8] {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw VisitorSecretError(path: path, problem: "cannot be made: the directory cannot be created (\(error.localizedDescription))")
        }
        let secret = Array(VisitorHasher.randomSecret().map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined().utf8)
        let temporary = "\(path).new-\(getpid())"
        do throws(SystemCallError) {
            unlink(temporary)
            let descriptor = try systemCall("open \(temporary)") { open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600) }
            defer { close(descriptor) }
            try FileIO.writeAll(secret + [UInt8(ascii: "\n")], to: descriptor)
            try systemCall("fsync") { fsync(descriptor) }
        } catch {
            unlink(temporary)
            throw VisitorSecretError(path: path, problem: "cannot be made: \(describe(error.errno))")
        }
        defer { unlink(temporary) }
        if link(temporary, path) != 0 {
            let code = errno
            guard code == EEXIST, let theirs = try load(path) else {
                throw VisitorSecretError(path: path, problem: "cannot be made: \(describe(code))")
            }
            return theirs
        }
        FileIO.syncDirectory(directory.path)
        return secret
    }

    private static func describe(_ code: Int32) -> String {
        "\(String(cString: strerror(code))) (errno \(code))"
    }
}

/// A visitor secret file that is missing, cannot be read or made, or holds no secret.
public struct VisitorSecretError: Error, Hashable, CustomStringConvertible {
    /// The file.
    public let path: String
    /// What is wrong with it.
    public let problem: String

    public var description: String { "visitor secret file \(path) \(problem)" }
}
