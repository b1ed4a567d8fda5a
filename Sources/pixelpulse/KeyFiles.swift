import ArgumentParser
import Foundation
import ZeroMQ

/// CURVE key files, as `pixelpulse keys` writes them.
///
/// `NAME.key`, the key pair (mode 0600):
///
///     # PixelPulse CURVE key pair "edge-1". Keep this file secret.
///     public-key = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
///     secret-key = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6"
///
/// `NAME.pub`, the public key as one allowlist line, `<key> <name>`; an allowlist is any
/// number of such lines (`cat *.pub > collectors.allow`). Lines starting with `# ` are
/// comments (a bare `#` can start a Z85 key).
enum KeyFiles {
    /// Writes `NAME.key` and `NAME.pub` into `folder`, refusing to overwrite either.
    static func write(_ pair: CurveKeyPair, name: String, folder: URL) throws -> (pair: URL, publicKey: URL) {
        let pairURL = folder.appending(path: "\(name).key")
        let publicURL = folder.appending(path: "\(name).pub")
        for url in [pairURL, publicURL] where FileManager.default.fileExists(atPath: url.path) {
            throw ValidationError("\(url.path) exists; not overwriting a key")
        }
        let pairText = """
            # PixelPulse CURVE key pair "\(name)". Keep this file secret.
            public-key = "\(pair.publicKey.z85)"
            secret-key = "\(pair.secretKey.z85)"

            """
        guard FileManager.default.createFile(atPath: pairURL.path, contents: Data(pairText.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ValidationError("cannot write \(pairURL.path)")
        }
        let publicText = "# PixelPulse CURVE public key \"\(name)\": an allowlist line.\n\(pair.publicKey.z85) \(name)\n"
        try Data(publicText.utf8).write(to: publicURL)
        return (pairURL, publicURL)
    }

    /// Reads a key pair file; the public key must match the secret one.
    static func keyPair(at path: String) throws -> CurveKeyPair {
        var values: [String: String] = [:]
        for line in try lines(of: path) {
            let parts = line.text.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, ["public-key", "secret-key"].contains(parts[0]) else {
                throw ValidationError("\(path):\(line.number): expected public-key = \"…\" or secret-key = \"…\"")
            }
            values[parts[0]] = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        guard let secretText = values["secret-key"], let secret = CurveKey(z85: secretText) else {
            throw ValidationError("\(path): no valid secret-key (40 Z85 characters); is this a .pub file?")
        }
        let pair = try CurveKeyPair(secretKey: secret)
        if let publicText = values["public-key"], CurveKey(z85: publicText) != pair.publicKey {
            throw ValidationError("\(path): public-key does not belong to secret-key")
        }
        return pair
    }

    /// Reads an allowlist file: public key → name (the key itself when unnamed).
    static func allowlist(at path: String) throws -> [CurveKey: String] {
        var keys: [CurveKey: String] = [:]
        for line in try lines(of: path) {
            let fields = line.text.split(separator: " ", maxSplits: 1)
            guard let key = CurveKey(z85: String(fields[0])) else {
                throw ValidationError("\(path):\(line.number): \"\(fields[0])\" is not a public key (40 Z85 characters)")
            }
            keys[key] = fields.count > 1 ? fields[1].trimmingCharacters(in: .whitespaces) : key.z85
        }
        return keys
    }

    /// A public key given as its 40 Z85 characters, or as a file holding exactly one.
    static func publicKey(_ keyOrPath: String) throws -> CurveKey {
        if let key = CurveKey(z85: keyOrPath) { return key }
        let keys = try allowlist(at: keyOrPath)
        guard keys.count == 1, let key = keys.keys.first else {
            throw ValidationError("\(keyOrPath) holds \(keys.count) public keys; expected one")
        }
        return key
    }

    /// The non-blank, non-comment lines of a file, with their 1-based numbers.
    private static func lines(of path: String) throws -> [(number: Int, text: String)] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ValidationError("cannot read \(path): \(error.localizedDescription)")
        }
        return text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { index, raw in
            let line = raw.trimmingCharacters(in: .whitespaces)
            return line.isEmpty || line == "#" || line.hasPrefix("# ") ? nil : (index + 1, line)
        }
    }
}
