/// A one-time signal a socket thread raises and a task awaits.
final class OneShotSignal: Sendable {
    private let inbox = Inbox<Void>()

    func signal() { inbox.put(()) }

    func wait() async { _ = await inbox.next(timeout: .seconds(10)) }
}
