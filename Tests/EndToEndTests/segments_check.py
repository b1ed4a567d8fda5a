#!/usr/bin/env python3
"""Sends known pixel hits over HTTP and checks the campaign's breakdowns on the feed and in a snapshot.

Subscribes with pyzmq to segments/<campaign>/ and heartbeat/; once a heartbeat proves the
subscription live, sends seven hits of known browsers, systems, channels and client addresses
(X-Forwarded-For, for a collector that trusts it) to --http, then
waits (at most --timeout seconds) until the latest message of every dimension holds exactly
the expected rows in the longest window, and checks that a snapshot of segments/<campaign>/
holds the same. With --countries the collector has the tests' country database (DE, JP);
without, no country breakdown may appear. Prints "OK" or "FAIL <reason>"; exits 0 or 1.
"""
import argparse
import json
import sys
import time
import urllib.parse
import urllib.request

import zmq

IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.5 Mobile/15E148 Safari/604.1")
WINDOWS = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/131.0.0.0 Safari/537.36")
ANDROID = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/131.0.0.0 Mobile Safari/537.36")
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"

# (agent, query, headers) of each hit.
GOOGLE = urllib.parse.quote("https://www.google.com/search?q=shoes", safe="")
HITS = (
    [(IPHONE, "utm_source=Newsletter", {"X-Forwarded-For": "203.0.113.7"})] * 3
    + [(WINDOWS, f"ref={GOOGLE}", {"X-Forwarded-For": "2001:db8::7"})] * 2
    # A pixel's own Referer is the page it is on: not where the visit came from.
    + [(ANDROID, "e=click", {"Referer": "https://l.facebook.com/", "X-Forwarded-For": "10.0.0.1"})]
    + [(GOOGLEBOT, "", {})]
)

# Dimension -> segment -> (views, clicks, bots), in the longest window.
EXPECTED = {
    "device": {"mobile": (3, 1, 0), "desktop": (2, 0, 0), "bot": (0, 0, 1)},
    "browser": {"safari": (3, 0, 0), "chrome": (2, 1, 0), "googlebot": (0, 0, 1)},
    "os": {"ios": (3, 0, 0), "windows": (2, 0, 0), "android": (0, 1, 0), "other": (0, 0, 1)},
    "channel": {"newsletter": (3, 0, 0), "search": (2, 0, 0), "direct": (0, 1, 1)},
    "referrer": {"(none)": (3, 1, 1), "google.com": (2, 0, 0)},
}
COUNTRIES = {"DE": (3, 0, 0), "JP": (2, 0, 0), "(none)": (0, 1, 1)}


def fail(reason):
    print(f"FAIL {reason}", flush=True)
    sys.exit(1)


def rows(body):
    """The segment -> (views, clicks, bots) of a segments body, in its longest window."""
    message = json.loads(body)
    if message.get("type") != "segments":
        fail(f"not a segments body: {message}")
    result = {}
    for row in message["rows"]:
        window = row["windows"][arguments.window]
        result[row["segment"]] = (window["views"], window["clicks"], window["bots"])
    return message["dimension"], result


parser = argparse.ArgumentParser()
parser.add_argument("--feed", required=True)
parser.add_argument("--snapshot", required=True)
parser.add_argument("--http", required=True)
parser.add_argument("--campaign", required=True)
parser.add_argument("--window", default="1h")
parser.add_argument("--timeout", type=float, default=60)
parser.add_argument("--countries", action="store_true")
arguments = parser.parse_args()
if arguments.countries:
    EXPECTED["country"] = COUNTRIES

context = zmq.Context()
sub = context.socket(zmq.SUB)
prefix = f"segments/{arguments.campaign}/"
sub.setsockopt_string(zmq.SUBSCRIBE, prefix)
sub.setsockopt_string(zmq.SUBSCRIBE, "heartbeat/")
sub.connect(arguments.feed)
poller = zmq.Poller()
poller.register(sub, zmq.POLLIN)
deadline = time.monotonic() + arguments.timeout


def receive():
    remaining = deadline - time.monotonic()
    if remaining <= 0 or not poller.poll(remaining * 1000):
        return None
    return sub.recv_multipart()


while (frames := receive()) is not None and frames[0] != b"heartbeat/":
    pass
if frames is None:
    fail("no heartbeat within the timeout")

for agent, query, headers in HITS:
    url = f"{arguments.http}/p/{arguments.campaign}/hero.gif" + (f"?{query}" if query else "")
    request = urllib.request.Request(url, headers={"User-Agent": agent, **headers})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            if response.status != 200:
                fail(f"pixel answered {response.status}")
    except OSError as error:
        fail(f"pixel request failed: {error!r}")

latest = {}
while latest != EXPECTED:
    frames = receive()
    if frames is None:
        fail(f"the feed's breakdowns never matched: {latest}, expected {EXPECTED}")
    topic = frames[0].decode()
    if topic.startswith(prefix):
        if topic == f"{prefix}country/" and not arguments.countries:
            fail("a country breakdown without a country source")
        dimension, found = rows(frames[1])
        if topic != f"{prefix}{dimension}/":
            fail(f"{topic} carries dimension {dimension}")
        latest[dimension] = found

dealer = context.socket(zmq.DEALER)
dealer.connect(arguments.snapshot)
dealer.send_string(prefix)
snapshot = {}
while True:
    if not dealer.poll(max(0, deadline - time.monotonic()) * 1000):
        fail("no snapshot within the timeout")
    topic, body = dealer.recv_multipart()
    if topic == b"snapshot/end/":
        break
    dimension, found = rows(body)
    snapshot[dimension] = found
if snapshot != EXPECTED:
    fail(f"the snapshot holds {snapshot}, expected {EXPECTED}")
print("OK", flush=True)
