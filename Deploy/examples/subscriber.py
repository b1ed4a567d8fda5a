#!/usr/bin/env python3
"""A late-joining PixelPulse subscriber in Python (pyzmq): the snapshot + live-feed recipe.

1. Subscribe (SUB) to the prefix and to heartbeat/, and buffer everything; the first
   heartbeat proves the subscription reached the aggregator.
2. Ask the snapshot ROUTER for the prefix (one frame on a DEALER); read [topic, body]
   messages up to [snapshot/end/, {"seq": S, ...}].
3. Apply the snapshot, then the buffered updates with seq > S (and above the topic's own
   seq), in order; then live updates the same way.
4. Resync (back to step 2) when a heartbeat carries a new startedAt (the aggregator
   restarted) or nothing arrives for --silence seconds (dead or unreachable).

Alerts (topics alerts/…) are kept apart, by fingerprint, while they fire: a "resolved" one
removes its "firing" one.

Prints machine-readable lines: "snapshot seq=S count=N startedAt=T", "resync REASON",
"update TOPIC seq=Q views=V", "alert STATUS RULE FINGERPRINT SUMMARY", and with --expect,
"OK N topics" once the 1h windows of the state equal the expected counts (exit 0), or
"FAIL reason" (exit 1) after --timeout.

    python3 subscriber.py --feed tcp://127.0.0.1:5571 --snapshot tcp://127.0.0.1:5572 --prefix stats/spring-sale/
"""
import argparse
import json
import sys
import time

import zmq

SNAPSHOT_END = b"snapshot/end/"
ALERTS = "alerts/"
HEARTBEAT = b"heartbeat/"
COUNTERS = ("views", "clicks", "conversions", "value")


def say(line):
    print(line, flush=True)


class Client:
    def __init__(self, context, feed, snapshot, prefix, silence):
        self.context, self.snapshot_endpoint, self.prefix, self.silence = context, snapshot, prefix, silence
        self.sub = context.socket(zmq.SUB)
        self.sub.setsockopt(zmq.LINGER, 0)
        self.sub.setsockopt_string(zmq.SUBSCRIBE, prefix)
        self.sub.setsockopt(zmq.SUBSCRIBE, HEARTBEAT)
        self.sub.connect(feed)
        self.dealer = None
        self.state = {}          # topic -> stats body (dict)
        self.alerts = {}         # fingerprint -> body of an alert firing now
        self.started_at = None
        self.snapshot_seq = 0
        self.last_message = time.monotonic()

    def new_dealer(self):
        if self.dealer is not None:
            self.dealer.close(0)   # a late answer to an old request must not be mistaken for a new one
        self.dealer = self.context.socket(zmq.DEALER)
        self.dealer.setsockopt(zmq.LINGER, 0)
        self.dealer.connect(self.snapshot_endpoint)

    def receive_live(self, timeout_ms):
        """One [topic, body] from the feed, or None after timeout_ms."""
        if not self.sub.poll(timeout_ms):
            return None
        topic, body = self.sub.recv_multipart()
        self.last_message = time.monotonic()
        return topic, json.loads(body)

    def sync(self, reason, deadline):
        """Steps 1-3: returns once the state is consistent again."""
        buffered = []
        while True:    # step 1: wait for a heartbeat, buffering
            message = self.receive_live(100)
            if message is not None:
                buffered.append(message)
                if message[0] == HEARTBEAT:
                    break
            if time.monotonic() > deadline:
                raise TimeoutError("no heartbeat")
        self.new_dealer()
        self.dealer.send(self.prefix.encode())
        snapshot, end = [], None
        while end is None:   # step 2: the snapshot, still buffering the feed
            if self.dealer.poll(50):
                topic, body = self.dealer.recv_multipart()
                if topic == SNAPSHOT_END:
                    end = json.loads(body)
                else:
                    snapshot.append((topic, json.loads(body)))
            while (message := self.receive_live(0)) is not None:
                buffered.append(message)
            if time.monotonic() > deadline:
                raise TimeoutError("no snapshot")
        if "error" in end:
            raise RuntimeError(f"snapshot refused: {end['error']}")
        self.state = {topic.decode(): body for topic, body in snapshot if not topic.decode().startswith(ALERTS)}   # step 3
        self.alerts = {body["fingerprint"]: body for topic, body in snapshot if topic.decode().startswith(ALERTS)}
        self.snapshot_seq, self.started_at = end["seq"], end["startedAt"]
        for topic, body in buffered:
            if topic != HEARTBEAT:
                self.apply(topic, body)
        say(f"{'snapshot' if reason is None else 'resync ' + reason} seq={end['seq']} count={end['count']} startedAt={end['startedAt']}")

    def apply(self, topic, body):
        topic = topic.decode()
        if topic.startswith(ALERTS):
            held = self.alerts.get(body["fingerprint"], {})
            if body["seq"] <= self.snapshot_seq or body["seq"] <= held.get("seq", 0):
                return False
            if body["status"] == "firing":
                self.alerts[body["fingerprint"]] = body
            else:
                self.alerts.pop(body["fingerprint"], None)
            return True
        if body["seq"] <= self.snapshot_seq or body["seq"] <= self.state.get(topic, {}).get("seq", 0):
            return False      # already in the snapshot (or older than what we hold)
        self.state[topic] = body
        return True

    def step(self, deadline):
        """Step 4: one live message, or a resync. Returns the topic updated, if any."""
        message = self.receive_live(100)
        if message is None:
            if time.monotonic() - self.last_message > self.silence:
                self.sync("silence", deadline)
            return None
        topic, body = message
        if topic == HEARTBEAT:
            if body["startedAt"] != self.started_at:
                self.sync("restarted", deadline)
            return None
        if not self.apply(topic, body):
            return None
        if body["type"] == "alert":
            say(f"alert {body['status']} {body['rule']} {body['fingerprint']} {body['summary']}")
        else:
            longest = list(body["windows"])[-1]
            say(f"update {topic.decode()} seq={body['seq']} views={body['windows'][longest]['views']}")
        return topic.decode()


def hour(state):
    return {topic: {c: body["windows"]["1h"][c] for c in COUNTERS} for topic, body in state.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feed", default="tcp://127.0.0.1:5571")
    parser.add_argument("--snapshot", default="tcp://127.0.0.1:5572")
    parser.add_argument("--prefix", default="stats/")
    parser.add_argument("--silence", type=float, default=3.0, help="seconds without a message before resyncing")
    parser.add_argument("--expect", help='JSON {topic: {"views":…,"clicks":…,"conversions":…,"value":…}} of the 1h windows')
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()

    client = Client(zmq.Context(), args.feed, args.snapshot, args.prefix, args.silence)
    expected = json.loads(args.expect) if args.expect else None
    deadline = time.monotonic() + args.timeout if expected is not None else float("inf")
    try:
        client.sync(None, deadline)
        while True:
            if expected is not None and hour(client.state) == expected:
                say(f"OK {len(expected)} topics")
                return 0
            if time.monotonic() > deadline:
                say(f"FAIL state {json.dumps(hour(client.state), sort_keys=True)} != expected")
                return 1
            client.step(deadline)
    except (TimeoutError, RuntimeError) as error:
        say(f"FAIL {error}")
        return 1
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
