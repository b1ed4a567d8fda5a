import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Wakes the forwarder thread from another thread, through a non-blocking pipe.
///
/// The forwarder polls the pipe's read end next to its sockets' file descriptors, so an
/// event loop can wake it without touching libzmq. A flag keeps it to one byte in the pipe
/// however often ``signal()`` is called before the forwarder looks.
final class WakeSignal: Sendable {
    /// Polled by the forwarder.
    let readDescriptor: Int32
    private let writeDescriptor: Int32
    private let pending = Atomic<Bool>(false)

    struct PipeError: Error, CustomStringConvertible {
        let errno: Int32
        var description: String { "pipe() failed: errno \(errno)" }
    }

    init() throws(PipeError) {
        var descriptors: [Int32] = [-1, -1]
        guard pipe(&descriptors) == 0 else { throw PipeError(errno: errno) }
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

    /// Wakes the forwarder. Call after changing the state it should look at.
    func signal() {
        guard !pending.exchange(true, ordering: .acquiringAndReleasing) else { return }
        var byte: UInt8 = 1
        _ = write(writeDescriptor, &byte, 1)
    }

    /// Clears the signal. The forwarder calls it before looking at the shared state, so a
    /// change made after that look signals again.
    func reset() {
        _ = pending.exchange(false, ordering: .acquiringAndReleasing)
        var buffer: (UInt64, UInt64) = (0, 0)
        while withUnsafeMutableBytes(of: &buffer, { read(readDescriptor, $0.baseAddress, $0.count) }) > 0 {}
    }
}
