import Foundation
import PixelPulseTesting

/// A real pseudo-terminal: a tmux server of the test's own (its socket in a fresh temporary
/// folder) running one command in a detached session of a given size, whose screen the
/// test reads with `capture-pane`. Needs `tmux` on `PATH` (Debian's package `tmux`).
struct Tmux {
    private let folder: URL
    private var socket: String { folder.appending(path: "tmux.sock").path }

    static var isInstalled: Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":")
            .contains { FileManager.default.isExecutableFile(atPath: "\($0)/tmux") }
    }

    /// Starts `command` (run by the shell, its arguments quoted) in a `columns`×`rows` session.
    static func start(_ command: [String], columns: Int, rows: Int) async throws -> Tmux {
        let folder = FileManager.default.temporaryDirectory.appending(path: "pixelpulse-tmux-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let tmux = Tmux(folder: folder)
        let line = command.map { "'" + $0.replacingOccurrences(of: "'", with: #"'\''"#) + "'" }.joined(separator: " ")
        // The shell stays after the command ends, so its exit status can be read from the screen.
        let arguments = ["new-session", "-d", "-s", "test", "-x", "\(columns)", "-y", "\(rows)", "\(line); echo \"exit status $?\"; sleep 600"]
        // Spawned and awaited by hand: the server it starts keeps whatever it inherits open
        // (a pipe, Foundation's exit-watching socket), so Process would wait for ever.
        let status = try await onSocketThread { [socket = tmux.socket] in try spawnDetached(["tmux", "-S", socket] + arguments) }
        guard status == 0 else { throw TestFailure.message("tmux new-session exited \(status)") }
        return tmux
    }

    /// The screen now, one string per row (`-J`: a line the terminal wrapped comes back whole).
    func capture() async throws -> [String] {
        try await call(["capture-pane", "-p", "-J", "-t", "test"]).split(separator: "\n", omittingEmptySubsequences: false)
            .dropLast().map(String.init)
    }

    /// Reads the screen until `condition` holds, up to `timeout`; throws with the last screen.
    func capture(timeout: Duration = .seconds(30), until condition: ([String]) -> Bool) async throws -> [String] {
        let deadline = ContinuousClock.now + timeout
        var screen: [String] = []
        while ContinuousClock.now < deadline {
            screen = try await capture()
            if condition(screen) { return screen }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure.message("the screen did not show what was expected within \(timeout):\n\(screen.joined(separator: "\n"))")
    }

    /// Resizes the window, as a user dragging its corner (the program gets SIGWINCH).
    func resize(columns: Int, rows: Int) async throws {
        try await call(["resize-window", "-t", "test", "-x", "\(columns)", "-y", "\(rows)"])
    }

    /// Types keys into the session (`C-c` for Ctrl-C).
    func send(keys: String) async throws {
        try await call(["send-keys", "-t", "test", keys])
    }

    /// Ends the server and everything it runs, and removes the folder.
    func stop() async {
        _ = try? await call(["kill-server"])
        try? FileManager.default.removeItem(at: folder)
    }

    @discardableResult
    private func call(_ arguments: [String]) async throws -> String {
        let result = try await run("/usr/bin/env", ["tmux", "-S", socket] + arguments)
        guard result.status == 0 else { throw TestFailure.message("tmux \(arguments.first ?? ""): \(result.output)") }
        return result.output
    }
}

/// Runs `arguments` (found on `PATH`) with standard input and output on /dev/null, no other
/// descriptor and default signals, and waits
/// for it alone with `waitpid`; returns its exit status.
private func spawnDetached(_ arguments: [String]) throws -> Int32 {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    for descriptor in [STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO] {
        posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", descriptor == STDIN_FILENO ? O_RDONLY : O_WRONLY, 0)
    }
    // Nothing else: the server would hold other tests' pipes open for as long as it runs.
    for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? [] {
        if let descriptor = Int32(name), descriptor > STDERR_FILENO { posix_spawn_file_actions_addclose(&actions, descriptor) }
    }
    // Signals as a new process has them: a test thread's mask would have the server, and
    // the programs it runs, ignore kill-server's SIGHUP.
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var none = sigset_t()
    var all = sigset_t()
    sigemptyset(&none)
    sigfillset(&all)
    posix_spawnattr_setsigmask(&attributes, &none)
    posix_spawnattr_setsigdefault(&attributes, &all)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
    defer { for argument in argv { free(argument) } }
    var pid = pid_t()
    let spawned = posix_spawnp(&pid, arguments[0], &actions, &attributes, &argv, environ)
    guard spawned == 0 else { throw TestFailure.message("cannot start \(arguments[0]): error \(spawned)") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    return (status >> 8) & 0xFF
}
