import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Wakes a thread sleeping in `poll(2)` from another thread, through a non-blocking pipe.
///
/// The sleeper polls the pipe's read end next to its sockets' file descriptors, so an
/// event loop can wake it without touching libzmq. A flag keeps it to one byte in the pipe
/// however often ``signal()`` is called before the sleeper looks.
public final class WakeSignal: Sendable {
    /// Polled by the sleeping thread.
    public let readDescriptor: Int32
    private let writeDescriptor: Int32
    private let pending = Atomic<Bool>(false)

    public init() throws(SystemCallError) {
        var descriptors: [Int32] = [-1, -1]
        try systemCall("pipe") { pipe(&descriptors) }
        for descriptor in descriptors {
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        }
        readDescriptor = descriptors[0]
        writeDescriptor = descriptors[1]
    }

    deinit {
        close(readDescriptor)
        close(writeDescriptor)
    }

    /// Wakes the sleeper. Call after changing the state it should look at.
    public func signal() {
        guard !pending.exchange(true, ordering: .acquiringAndReleasing) else { return }
        var byte: UInt8 = 1
        _ = write(writeDescriptor, &byte, 1)
    }

    /// Clears the signal. The sleeper calls it before looking at the shared state, so a
    /// change made after that look signals again.
    public func reset() {
        _ = pending.exchange(false, ordering: .acquiringAndReleasing)
        var buffer: (UInt64, UInt64) = (0, 0)
        while withUnsafeMutableBytes(of: &buffer, { read(readDescriptor, $0.baseAddress, $0.count) }) > 0 {}
    }
}
