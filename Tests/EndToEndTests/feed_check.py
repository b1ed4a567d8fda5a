#!/usr/bin/env python3
"""Checks a PixelPulse live feed from outside, with pyzmq, the way a user's program reads it.

Subscribes to --prefix (and the heartbeat), prints "ready" once a heartbeat proves the
subscription is live, then reads until the latest 1h window of every topic in --expect
equals the expected counts (and the rollup's unique visitors, where --expect gives
"uniques", within one: they are an estimate). Every body is checked against the documented schema, every
topic against the subscribed prefix, and seq must strictly increase (within one run of the
aggregator: a restart, confirmed by its heartbeat's startedAt, starts again from 1). Exits 0 on success,
1 with a reason otherwise.
"""
import argparse
import json
import sys
import time

import zmq

COUNTERS = ("views", "clicks", "conversions", "value")


def fail(reason):
    print(f"FAIL {reason}", flush=True)
    sys.exit(1)


def check_stats(topic, body, counts_uniques):
    for field, kind in (("type", str), ("seq", int), ("time", int), ("campaign", str), ("windows", dict)):
        if not isinstance(body.get(field), kind):
            fail(f"{topic}: field {field!r} missing or not {kind.__name__}: {body}")
    if body["type"] != "stats":
        fail(f"{topic}: type {body['type']!r}")
    pixel = body.get("pixel", "absent")
    expected_topic = f"stats/{body['campaign']}/{pixel if pixel is not None else '*'}/"
    if pixel == "absent" or topic != expected_topic:
        fail(f"{topic}: body names {expected_topic}")
    if set(body["windows"]) != {"1m", "5m", "15m", "1h"}:
        fail(f"{topic}: windows {sorted(body['windows'])}")
    for name, window in body["windows"].items():
        # Unique visitors are estimated per campaign: a number in a rollup, null for a pixel
        # (and everywhere when the aggregator counts none).
        uniques = window.get("uniques", "absent")
        if pixel is None and counts_uniques and (not isinstance(uniques, int) or uniques < 0):
            fail(f"{topic} {name}: uniques = {uniques!r}")
        if (pixel is not None or not counts_uniques) and uniques is not None:
            fail(f"{topic} {name}: uniques should be null, not {uniques!r}")
        error = window.get("uniquesError", "absent")
        if isinstance(uniques, int) and (not isinstance(error, int) or error < 0 or error > max(1, uniques // 10)):
            fail(f"{topic} {name}: uniquesError = {error!r} for uniques = {uniques}")
        if uniques is None and error is not None:
            fail(f"{topic} {name}: uniquesError should be null, not {error!r}")
        for counter in COUNTERS + ("bots",):
            if not isinstance(window.get(counter), int) or window[counter] < 0:
                fail(f"{topic} {name}: {counter} = {window.get(counter)!r}")
        for rate, numerator, denominator in (("ctr", "clicks", "views"), ("cvr", "conversions", "clicks")):
            value = window.get(rate, "absent")
            if window[denominator] == 0:
                if value is not None:
                    fail(f"{topic} {name}: {rate} should be null without {denominator}")
            elif not isinstance(value, (int, float)) or abs(value - window[numerator] / window[denominator]) > 1e-9:
                fail(f"{topic} {name}: {rate} = {value!r}")


def check_heartbeat(body):
    for field in ("seq", "time", "activeKeys", "ingestRate", "events", "published", "firingAlerts"):
        if not isinstance(body.get(field), (int, float)):
            fail(f"heartbeat: field {field!r} missing: {body}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--feed", required=True)
    parser.add_argument("--prefix", default="stats/")
    parser.add_argument("--expect", required=True, help='JSON: {"stats/c/p/": {"views": 1, ...}, "stats/c/*/": {..., "uniques": 3}, ...}')
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument("--server-key", help="the aggregator's CURVE public key (Z85), when its feed is encrypted")
    parser.add_argument("--no-uniques", action="store_true", help="the aggregator runs with --no-uniques: every uniques is null")
    args = parser.parse_args()
    expected = json.loads(args.expect)

    context = zmq.Context()
    sub = context.socket(zmq.SUB)
    sub.setsockopt(zmq.RCVTIMEO, 1000)
    sub.setsockopt_string(zmq.SUBSCRIBE, args.prefix)
    sub.setsockopt_string(zmq.SUBSCRIBE, "heartbeat/")
    if args.server_key:
        sub.curve_serverkey = args.server_key.encode()
        sub.curve_publickey, sub.curve_secretkey = zmq.curve_keypair()
    sub.connect(args.feed)

    deadline = time.monotonic() + args.timeout
    latest, uniques, last_seq, ready, started_at, restart_unconfirmed = {}, {}, 0, False, None, False
    while time.monotonic() < deadline:
        try:
            topic, raw = sub.recv_multipart()
        except zmq.Again:
            continue
        topic = topic.decode()
        body = json.loads(raw)
        # A restarted aggregator numbers from 1 again: a step back in seq is allowed once,
        # and the next heartbeat must confirm it with a new startedAt.
        if topic == "heartbeat/" and body["startedAt"] != started_at:
            started_at, restart_unconfirmed = body["startedAt"], False
        elif body["seq"] <= last_seq:
            if restart_unconfirmed:
                fail(f"seq went from {last_seq} to {body['seq']}")
            restart_unconfirmed = True
        elif topic == "heartbeat/" and restart_unconfirmed:
            fail(f"seq went back to {body['seq']}, but the heartbeat shows no restart")
        last_seq = body["seq"]
        if topic == "heartbeat/":
            check_heartbeat(body)
            if not ready:
                ready = True
                print("ready", flush=True)
            continue
        if not topic.startswith(args.prefix):
            fail(f"received {topic} while subscribed to {args.prefix}")
        check_stats(topic, body, not args.no_uniques)
        latest[topic] = {counter: body["windows"]["1h"][counter] for counter in COUNTERS}
        uniques[topic] = body["windows"]["1h"]["uniques"]
        if all(latest.get(topic) == {c: counts[c] for c in COUNTERS} for topic, counts in expected.items()):
            # Unique visitors are a HyperLogLog estimate: a few visitors come out within one.
            for topic, counts in expected.items():
                if "uniques" in counts and not args.no_uniques and abs(uniques[topic] - counts["uniques"]) > 1:
                    fail(f"{topic}: {uniques[topic]} unique visitors, expected {counts['uniques']}")
            extra = sorted(set(latest) - set(expected))
            if extra:
                fail(f"unexpected topics {extra}")
            print(f"OK {len(latest)} topics, last seq {last_seq}", flush=True)
            return
    missing = {t: (latest.get(t), c) for t, c in expected.items() if latest.get(t) != {k: c[k] for k in COUNTERS}}
    fail(f"timed out; (got, expected) per topic: {missing}")


if __name__ == "__main__":
    main()
