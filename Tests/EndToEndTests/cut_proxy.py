"""A TCP proxy whose link can be cut and restored, standing in for a network failure.

    python3 cut_proxy.py --to 127.0.0.1:5570

Prints `port: N` once listening. SIGUSR1 cuts the link: from then on everything read from
either side is thrown away, on the connections open and on new ones, as when the network
drops packets; prints `cut`. SIGUSR2 restores it: the connections of the cut are closed,
and new ones are relayed again; prints `restored`.
"""
import argparse
import selectors
import signal
import socket

parser = argparse.ArgumentParser()
parser.add_argument("--to", required=True)
arguments = parser.parse_args()
host, port = arguments.to.rsplit(":", 1)
upstream = (host, int(port))

# A parent's worker thread may have spawned us with these signals blocked.
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGUSR1, signal.SIGUSR2})
listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", 0))
listener.listen(64)
listener.setblocking(False)
selector = selectors.DefaultSelector()
selector.register(listener, selectors.EVENT_READ)
peers = {}      # socket -> its other end (None for a connection accepted during a cut)
state = {"cut": False, "pending": None}


def drop(sock):
    other = peers.pop(sock, None)
    for s in (sock, other):
        if s is not None:
            peers.pop(s, None)
            try:
                selector.unregister(s)
            except (KeyError, ValueError):
                pass
            s.close()


def on_signal(number, _frame):
    state["pending"] = number


signal.signal(signal.SIGUSR1, on_signal)
signal.signal(signal.SIGUSR2, on_signal)
print(f"port: {listener.getsockname()[1]}", flush=True)
while True:
    for key, _ in selector.select(timeout=0.05):
        sock = key.fileobj
        if sock is listener:
            client, _ = listener.accept()
            selector.register(client, selectors.EVENT_READ)
            if state["cut"]:
                peers[client] = None
                continue
            server = socket.create_connection(upstream)
            peers[client], peers[server] = server, client
            selector.register(server, selectors.EVENT_READ)
        elif sock in peers:
            try:
                data = sock.recv(65536)
            except OSError:
                data = b""
            if not data:
                drop(sock)
            elif not state["cut"] and peers[sock] is not None:
                peers[sock].sendall(data)
    if state["pending"] is not None:
        number, state["pending"] = state["pending"], None
        if number == signal.SIGUSR1:
            state["cut"] = True
            print("cut", flush=True)
        else:
            state["cut"] = False
            for sock in list(peers):
                drop(sock)
            print("restored", flush=True)
