/// Polls `condition` until it holds or `timeout` passes, for states that have no event to
/// wait on from outside (readiness over HTTP, a `/metrics` page); returns the last answer.
public func eventually(
    timeout: Duration = .seconds(30), _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return try await condition()
}
