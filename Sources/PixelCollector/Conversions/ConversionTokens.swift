import Crypto
public import Foundation
import Synchronization

/// The bearer tokens allowed to report conversions; replaced whole on reload.
///
/// Only the tokens' SHA-256 digests are kept, and a presented token is compared with every
/// one of them in full, without stopping at the first difference: the time an answer takes
/// tells nothing about how close a guess was.
public final class ConversionTokens: Sendable {
    /// The shortest token taken: a token is a password that a network keeps in its URLs.
    public static let minimumLength = 16

    private let digests: Mutex<[[UInt8]]>

    /// Takes `tokens` (each at least ``minimumLength`` bytes); none turns conversions off.
    public init(_ tokens: [String] = []) {
        precondition(tokens.allSatisfy { $0.utf8.count >= Self.minimumLength }, "conversion tokens are at least 16 bytes")
        digests = Mutex(tokens.map(Self.digest))
    }

    /// Replaces the tokens.
    public func replace(with tokens: [String]) {
        precondition(tokens.allSatisfy { $0.utf8.count >= Self.minimumLength }, "conversion tokens are at least 16 bytes")
        let new = tokens.map(Self.digest)
        digests.withLock { $0 = new }
    }

    /// The number of tokens.
    public var count: Int { digests.withLock { $0.count } }

    /// Whether `presented` is one of the tokens.
    func admits(_ presented: some StringProtocol) -> Bool {
        let digest = Self.digest(String(presented))
        return digests.withLock { digests in
            var admitted = false
            for known in digests {
                var difference: UInt8 = 0
                for (a, b) in zip(known, digest) { difference |= a ^ b }
                admitted = admitted || difference == 0
            }
            return admitted
        }
    }

    private static func digest(_ token: String) -> [UInt8] {
        Array(SHA256.hash(data: Data(token.utf8)))
    }

    /// Reads tokens from a file: one per line, surrounding spaces ignored, blank lines and
    /// lines starting with `#` skipped.
    ///
    /// - Throws: ``ConversionTokenFileError`` naming the file and, for a short token, the line.
    public static func read(file: URL) throws(ConversionTokenFileError) -> [String] {
        let text: String
        do {
            text = try String(contentsOf: file, encoding: .utf8)
        } catch {
            throw ConversionTokenFileError("\(file.path) cannot be read: \((error as NSError).localizedDescription)")
        }
        var tokens: [String] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let token = line.trimmingCharacters(in: .whitespaces)
            guard !token.isEmpty, !token.hasPrefix("#") else { continue }
            guard token.utf8.count >= minimumLength else {
                throw ConversionTokenFileError(
                    "\(file.path):\(index + 1): a token of \(token.utf8.count) bytes; tokens need at least \(minimumLength) (make one with `openssl rand -hex 32`)")
            }
            tokens.append(token)
        }
        return tokens
    }
}

/// Why a conversion token file was refused; the message names the file (and line).
public struct ConversionTokenFileError: Error, Equatable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
