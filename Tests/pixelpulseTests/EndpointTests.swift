@testable import pixelpulse
import Testing

/// Which endpoints may go without CURVE: only those no other host can reach.
@Suite struct EndpointTests {
    @Test(arguments: [
        "tcp://127.0.0.1:5570", "tcp://127.0.0.1:*", "tcp://127.4.5.6:1", "tcp://localhost:1", "tcp://[::1]:1",
        "ipc:///tmp/x", "inproc://x",
    ])
    func thisHostOnly(_ endpoint: String) {
        #expect(Endpoint.isThisHostOnly(endpoint))
    }

    /// Wildcards, other addresses, names and interfaces (even `lo`, which is not read) all
    /// count as reachable from other hosts; so do transports other than TCP, IPC and inproc.
    @Test(arguments: [
        "tcp://0.0.0.0:1", "tcp://*:1", "tcp://[::]:1", "tcp://10.0.0.5:1", "tcp://example.com:1",
        "tcp://localhost.example.com:1", "tcp://eth0:1", "tcp://lo:1", "tcp://[::ffff:127.0.0.1]:1",
        "udp://127.0.0.1:1", "pgm://127.0.0.1;239.192.1.1:5555", "TCP://127.0.0.1:1", "",
    ])
    func reachableFromOtherHosts(_ endpoint: String) {
        #expect(!Endpoint.isThisHostOnly(endpoint))
    }

    /// A host name that merely starts with `127.` is resolved by DNS to wherever its owner
    /// likes; a source address on loopback says nothing of the destination.
    @Test(arguments: [
        "tcp://127.0.0.1.evil.com:1", "tcp://127.evil.com:5570", "tcp://127.0.0.256:1", "tcp://127.0.0:1",
        "tcp://127.0.0.1:0;10.0.0.5:5570",
    ])
    func aNameThatStartsLikeLoopbackIsNotLoopback(_ endpoint: String) {
        #expect(!Endpoint.isThisHostOnly(endpoint))
    }

    @Test func aLoopbackDestinationAfterASourceAddressIsLoopback() {
        #expect(Endpoint.isThisHostOnly("tcp://10.0.0.5:0;127.0.0.1:5570"))
    }
}
