/// Why a checkpoint cannot be loaded: damaged, cut short, or written under other settings.
public struct CheckpointError: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }

    /// The error for a section that ends early or holds a value out of range.
    package init(_ error: WireError) {
        switch error {
        case .truncated(let field): self.init("ends inside \(field)")
        default: self.init("\(error)")
        }
    }
}
