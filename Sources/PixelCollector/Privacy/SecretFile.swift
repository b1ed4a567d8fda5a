import Foundation
import PixelSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A secret kept in a file: read with the checks that tell a secret from some other file,
/// or made once, atomically. The visitor secret and the link secrets both live in such files.
///
/// A file's secret is its bytes without trailing spaces and newlines, so a file holding
/// `s3cret-…\n` gives the same secret as the text `s3cret-…`.
enum SecretFile {
    /// The fewest bytes a secret may hold, trailing whitespace aside.
    static let minimumLength = 16
    /// The most bytes a secret file may hold: a bigger one is some other file.
    static let maximumFileSize = 4096

    /// The bytes of the file at `path`, or `nil` if there is no such file.
    ///
    /// - Parameter noun: What the file holds, for errors (`visitor secret`).
    static func contents(_ path: String, noun: String) throws(SecretFileError) -> [UInt8]? {
        func failure(_ problem: String) -> SecretFileError { SecretFileError(noun, path: path, problem: problem) }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            let code = errno
            if code == ENOENT { return nil }
            throw failure("cannot be opened: \(describe(code))")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw failure("cannot be examined: \(describe(errno))") }
        guard status.st_mode & S_IFMT == S_IFREG else { throw failure("is not a regular file") }
        var bytes = [UInt8](repeating: 0, count: maximumFileSize + 1)
        var count = 0
        while count < bytes.count {
            let got = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + count, $0.count - count) }
            if got < 0, errno == EINTR { continue }
            guard got >= 0 else { throw failure("cannot be read: \(describe(errno))") }
            if got == 0 { break }
            count += got
        }
        guard count <= maximumFileSize else { throw failure("is over \(maximumFileSize) bytes: not a \(noun)") }
        return Array(bytes[..<count])
    }

    /// The one secret in the file at `path`, or `nil` if there is no such file.
    static func load(_ path: String, noun: String) throws(SecretFileError) -> [UInt8]? {
        guard let bytes = try contents(path, noun: noun) else { return nil }
        let secret = trimmed(bytes[...])
        guard secret.count >= minimumLength else {
            throw SecretFileError(noun, path: path, problem: """
                holds \(secret.count) bytes; a \(noun) needs at least \(minimumLength) \
                (make one with `openssl rand -hex 32 > \(path)`)
                """)
        }
        return Array(secret)
    }

    /// `bytes` without trailing spaces, tabs and line ends.
    static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var bytes = bytes
        while let last = bytes.last, [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n")].contains(last) {
            bytes = bytes.dropLast()
        }
        return bytes
    }

    /// Makes a new secret file at `path` (32 random bytes as 64 hexadecimal digits and a
    /// newline, mode 0600): written whole to a temporary file, then linked into place, so a
    /// crash never leaves a part of one, and a file another process made first wins.
    static func create(_ path: String, in directory: URL, noun: String) throws(SecretFileError) -> [UInt8] {
        func failure(_ problem: String) -> SecretFileError { SecretFileError(noun, path: path, problem: problem) }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw failure("cannot be made: the directory cannot be created (\(error.localizedDescription))")
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
            throw failure("cannot be made: \(describe(error.errno))")
        }
        defer { unlink(temporary) }
        if link(temporary, path) != 0 {
            let code = errno
            guard code == EEXIST, let theirs = try load(path, noun: noun) else { throw failure("cannot be made: \(describe(code))") }
            return theirs
        }
        FileIO.syncDirectory(directory.path)
        return secret
    }

    private static func describe(_ code: Int32) -> String {
        "\(String(cString: strerror(code))) (errno \(code))"
    }
}

/// A secret file that is missing, cannot be read or made, or holds no secret.
public struct SecretFileError: Error, Hashable, CustomStringConvertible {
    /// What the file holds: `visitor secret`, `link secret`, `link secrets`.
    public let noun: String
    /// The file.
    public let path: String
    /// What is wrong with it.
    public let problem: String

    public init(_ noun: String, path: String, problem: String) {
        self.noun = noun
        self.path = path
        self.problem = problem
    }

    public var description: String { "\(noun) file \(path) \(problem)" }
}
