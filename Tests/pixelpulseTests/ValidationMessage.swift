import ArgumentParser
import Testing

/// The message of the `ValidationError` that `body` throws, as the user reads it; an issue
/// is recorded at the caller when `body` throws no such error.
func validationMessage<R>(sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> R) -> String? {
    #expect(throws: ValidationError.self, sourceLocation: sourceLocation) { try body() }?.message
}
