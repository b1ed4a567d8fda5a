#!/usr/bin/env python3
"""Sends pixel traffic over HTTP, stops one pixel's, and waits for its alert on the feed.

Subscribes with pyzmq to alerts/<campaign>/ and heartbeat/, prints "ready" once a heartbeat
proves the subscription is live, then hits --keep and --stop (pixels of --campaign) at --rate
each per second for --seconds, then only --keep, until a firing alert for --stop arrives.
Prints "OK <alert body>" after checking its schema, or "FAIL <reason>"; exits 0 or 1.
"""
import argparse
import json
import sys
import time
import urllib.request

import zmq

FIELDS = {
    "type": str, "seq": int, "time": int, "status": str, "rule": str, "kind": str, "severity": str,
    "campaign": str, "metric": str, "window": str, "baselineWindow": str, "unit": str,
    "value": (int, float), "baseline": (int, float), "threshold": (int, float), "startsAt": int,
    "fingerprint": str, "summary": str,
}


def fail(reason):
    print(f"FAIL {reason}", flush=True)
    sys.exit(1)


def hit(http, campaign, pixel):
    # Generous: the test machine may be busy with other suites; a pixel must still answer.
    try:
        with urllib.request.urlopen(f"{http}/p/{campaign}/{pixel}.gif?e=view", timeout=30) as response:
            if response.status != 200:
                fail(f"pixel answered {response.status}")
    except OSError as error:
        fail(f"pixel request failed: {error!r}")


parser = argparse.ArgumentParser()
parser.add_argument("--feed", required=True)
parser.add_argument("--http", required=True)
parser.add_argument("--campaign", required=True)
parser.add_argument("--keep", required=True)
parser.add_argument("--stop", required=True)
parser.add_argument("--rate", type=int, default=20)
parser.add_argument("--seconds", type=float, default=14)
parser.add_argument("--timeout", type=float, default=60)
arguments = parser.parse_args()

sub = zmq.Context().socket(zmq.SUB)
prefix = f"alerts/{arguments.campaign}/"
sub.setsockopt_string(zmq.SUBSCRIBE, prefix)
sub.setsockopt_string(zmq.SUBSCRIBE, "heartbeat/")
sub.connect(arguments.feed)
poller = zmq.Poller()
poller.register(sub, zmq.POLLIN)

deadline = time.monotonic() + arguments.timeout
ready = False
while not ready:
    if time.monotonic() > deadline:
        fail("no heartbeat")
    if poller.poll(100):
        ready = sub.recv_multipart()[0] == b"heartbeat/"
print("ready", flush=True)

started = time.monotonic()
sent = 0
while time.monotonic() < deadline:
    elapsed = time.monotonic() - started
    pixels = [arguments.keep] + ([arguments.stop] if elapsed < arguments.seconds else [])
    if sent < elapsed * arguments.rate:
        for pixel in pixels:
            hit(arguments.http, arguments.campaign, pixel)
        sent += 1
    while poller.poll(0):
        topic, raw = sub.recv_multipart()
        topic = topic.decode()
        if topic == "heartbeat/":
            continue
        if not topic.startswith(prefix):
            fail(f"topic {topic} outside {prefix}")
        body = json.loads(raw)
        for field, kind in FIELDS.items():
            if not isinstance(body.get(field), kind):
                fail(f"{topic}: field {field!r} missing or of the wrong type: {body}")
        if body["status"] != "firing":
            fail(f"unexpected {body['status']} alert: {body}")
        if elapsed < arguments.seconds:
            fail(f"an alert while both pixels had traffic: {body}")
        if topic != f"{prefix}{arguments.stop}/" or body["pixel"] != arguments.stop or body["endsAt"] is not None:
            fail(f"alert about the wrong key: {body}")
        print(f"OK {json.dumps(body)}", flush=True)
        sys.exit(0)
    time.sleep(0.002)
fail("no alert before the timeout")
