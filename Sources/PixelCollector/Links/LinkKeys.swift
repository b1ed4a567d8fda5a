import Crypto

/// The secrets tracking links and click ids are signed with: the first signs, every one
/// verifies, so secrets rotate without breaking live links (put the new one first, and
/// drop the old one once the links and click ids it signed have had their time).
///
/// A tag is HMAC-SHA256 under a secret of a message that starts with a label naming its
/// use (``Domain``, length-prefixed), so a link's signature is never a valid click id tag
/// or the reverse.
/// Verification compares in constant time, secret by secret.
///
/// `@unchecked Sendable`: the keyed HMAC states are never changed after `init`; each tag
/// copies one, and swift-crypto's hash state is copy-on-write, so no two threads ever write
/// one state.
public struct LinkKeys: @unchecked Sendable {
    /// What a tag signs; its label starts the message.
    enum Domain {
        case link, click

        var label: [UInt8] {
            switch self {
            case .link: Array("pixelpulse/link/v1".utf8)
            case .click: Array("pixelpulse/click/v1".utf8)
            }
        }
    }

    /// The fewest bytes a secret may hold.
    public static let minimumSecretLength = 16

    /// Per secret, the HMAC keyed with it that has read each domain's label: keying is most
    /// of the work of a short message, so it is done once.
    private let link: [HMAC<SHA256>]
    private let click: [HMAC<SHA256>]

    /// The keys of `secrets`; the first signs.
    ///
    /// - Precondition: at least one secret, each at least ``minimumSecretLength`` bytes.
    public init(secrets: [[UInt8]]) {
        precondition(!secrets.isEmpty, "LinkKeys needs at least one secret")
        precondition(secrets.allSatisfy { $0.count >= Self.minimumSecretLength }, "a link secret needs at least 16 bytes")
        func keyed(_ domain: Domain) -> [HMAC<SHA256>] {
            secrets.map { secret in
                var hmac = HMAC<SHA256>(key: SymmetricKey(data: secret))
                hmac.update(data: [UInt8(domain.label.count)] + domain.label)
                return hmac
            }
        }
        link = keyed(.link)
        click = keyed(.click)
    }

    /// How many secrets verify.
    public var count: Int { link.count }

    /// The tag of `message` under the first secret, cut to `length` bytes (at most 32).
    func tag(_ domain: Domain, _ message: [UInt8], length: Int = 32) -> [UInt8] {
        Array(Self.mac(message, keyed(domain)[0]).prefix(length))
    }

    /// Whether `tag` is the tag of `message`, cut to its length, under any of the secrets.
    func verifies(_ domain: Domain, _ message: [UInt8], tag: some Collection<UInt8>) -> Bool {
        guard !tag.isEmpty, tag.count <= 32 else { return false }
        for hmac in keyed(domain) where Self.equalInConstantTime(Self.mac(message, hmac).prefix(tag.count), tag) {
            return true
        }
        return false
    }

    private func keyed(_ domain: Domain) -> [HMAC<SHA256>] {
        switch domain {
        case .link: link
        case .click: click
        }
    }

    private static func mac(_ message: [UInt8], _ keyed: HMAC<SHA256>) -> [UInt8] {
        var hmac = keyed
        hmac.update(data: message)
        return Array(hmac.finalize())
    }

    /// Compares every byte, whatever the first difference, so the time tells nothing.
    private static func equalInConstantTime(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}
