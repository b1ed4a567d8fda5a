import Synchronization

/// What a collector answers tracking links with: the link secrets and the pixel sets, which
/// a reload replaces while requests are served, and the allowlist of unsigned destinations.
///
/// One per ``Collector`` (``Collector/links``); every connection reads it per request,
/// under a short lock.
public final class LinkSettings: Sendable {
    private struct State {
        var keys: LinkKeys
        var pixelSets: PixelSets
        /// Missing sets already logged, so each is logged once per reload.
        var missingLogged: Set<PixelSetName> = []
    }

    private let state: Mutex<State>
    /// Hosts an unsigned link may send to.
    public let allowedHosts: LinkAllowlist

    public init(keys: LinkKeys, pixelSets: PixelSets = PixelSets(), allowedHosts: LinkAllowlist = LinkAllowlist()) {
        state = Mutex(State(keys: keys, pixelSets: pixelSets))
        self.allowedHosts = allowedHosts
    }

    /// The secrets links and click ids are signed and verified with.
    public var keys: LinkKeys { state.withLock { $0.keys } }

    /// The pixel sets links may name.
    public var pixelSets: PixelSets { state.withLock { $0.pixelSets } }

    /// Puts new secrets in force (a SIGHUP's reload).
    public func replaceKeys(_ keys: LinkKeys) {
        state.withLock { $0.keys = keys }
    }

    /// Puts new pixel sets in force (a SIGHUP's reload).
    public func replacePixelSets(_ sets: PixelSets) {
        state.withLock {
            $0.pixelSets = sets
            $0.missingLogged = []
        }
    }

    /// The keys and the pixels of `set`, read at once.
    func snapshot(pixelSet set: PixelSetName?) -> (keys: LinkKeys, pixels: [PixelTag]?) {
        state.withLock { state in (state.keys, set.flatMap { state.pixelSets[$0] }) }
    }

    /// Whether a link naming `set`, which is not loaded, is the first since the last reload
    /// (so it is logged once).
    func isFirstMiss(of set: PixelSetName) -> Bool {
        state.withLock { $0.missingLogged.insert(set).inserted }
    }

    /// Why `request` may not redirect, or `nil` when it may: a valid signature allows it
    /// (pixel set and all); without one, a link without a pixel set whose destination's
    /// host is on ``allowedHosts``.
    func authorize(_ request: LinkRequest, keys: LinkKeys) -> LinkRefusal? {
        if let signature = request.signature, request.link.isSigned(by: signature, keys: keys) { return nil }
        if request.link.pixelSet != nil { return request.signature == nil ? .unsignedPixelSet : .badSignature }
        if allowedHosts.allows(host: request.link.destination.host) { return nil }
        if request.signature != nil { return .badSignature }
        return allowedHosts.isEmpty ? .missingSignature : .destinationNotAllowed
    }
}
