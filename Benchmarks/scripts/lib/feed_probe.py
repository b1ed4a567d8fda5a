#!/usr/bin/env python3
"""feed_probe.py - end-to-end latency from a pixel hit to its appearance in the live feed.

Fires GET /p/<campaign>/<pixel><i>.gif on the collector every --interval-ms over one keep-alive
connection, turn by turn over --pixels pixels (p0, p1, ...), and subscribes to the aggregator's
feed topics of the campaign (stats/<campaign>/) plus heartbeat/. The n-th hit of a pixel is "in
the feed" when a stats message of that pixel shows at least n views in its longest window; its
latency is the time from just before the request was written to the moment that message was
read (one process, one monotonic clock). The probe campaign must get no other traffic, and the
run must stay shorter than the longest window. Probes are spaced by --interval-ms x
uniform(0.5, 1.5), so they fall at every phase of the tick. The aggregator publishes a key at
most once per tick: with --pixels 16 and 50 ms each pixel is hit every 400 ms or more, so the
probes measure a hit on a key that was not published in the last tick; with --pixels 1 they
measure a key busier than the tick (a hit then waits for the key's next turn).

Each latency is split with the message's `time` (the aggregator's wall clock when it built the
tick's changes): wait = that time - the probe's wall-clock send time (how long until a tick
took it), publish = wall-clock receipt - that time (building, publishing and delivering the
tick's messages). tick_gap = the difference of `time` between consecutive messages of the
probe topic (the tick period as the feed shows it; a probe is in almost every tick).

Prints one line of key=value pairs:
  probes=800 seen=800 missing=0 p50_ms=.. p90_ms=.. p99_ms=.. max_ms=.. min_ms=..
  within_ms=260 within_frac=0.99 http_p50_ms=.. http_p99_ms=.. wait_p99_ms=.. publish_p50_ms=..
  publish_p99_ms=.. publish_max_ms=.. tick_gap_p50_ms=.. tick_gap_max_ms=.. heartbeat_rate_med=.. heartbeats=..
and, with --samples FILE, every latency in ms, one per line.

Needs pyzmq. Usage:
  feed_probe.py --http-port P --feed tcp://127.0.0.1:N [--campaign probe] [--pixel p] [--pixels 1]
                [--interval-ms 50] [--duration-s 40] [--within-ms 260] [--samples FILE]
"""
import argparse
import http.client
import json
import random
import statistics
import sys
import time

import zmq


def percentile(sorted_values, fraction):
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, int(-(-fraction * len(sorted_values) // 1)))  # ceil
    return sorted_values[min(rank, len(sorted_values)) - 1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--http-port", type=int, required=True)
    parser.add_argument("--feed", required=True)
    parser.add_argument("--campaign", default="probe")
    parser.add_argument("--pixel", default="p")
    parser.add_argument("--pixels", type=int, default=1)
    parser.add_argument("--interval-ms", type=float, default=50)
    parser.add_argument("--duration-s", type=float, default=40)
    parser.add_argument("--within-ms", type=float, default=260)
    parser.add_argument("--samples")
    args = parser.parse_args()

    names = [f"{args.pixel}{i}" if args.pixels > 1 else args.pixel for i in range(args.pixels)]
    context = zmq.Context()
    sub = context.socket(zmq.SUB)
    sub.setsockopt(zmq.SUBSCRIBE, f"stats/{args.campaign}/".encode())
    sub.setsockopt(zmq.SUBSCRIBE, b"heartbeat/")
    sub.setsockopt(zmq.RCVHWM, 0)
    sub.connect(args.feed)
    poller = zmq.Poller()
    poller.register(sub, zmq.POLLIN)

    # The subscription is live once a heartbeat arrives (at least one a second).
    deadline = time.monotonic() + 5
    while True:
        if time.monotonic() > deadline:
            sys.exit("feed_probe: no heartbeat within 5 s")
        if poller.poll(100) and sub.recv_multipart()[0] == b"heartbeat/":
            break

    conn = http.client.HTTPConnection("127.0.0.1", args.http_port, timeout=5)
    sends = []        # monotonic time before each probe request
    sends_wall = []   # the same instant, wall clock (s)
    waits = []        # ms from send to the aggregator's tick that counted it
    publishes = []    # ms from that tick to receipt
    tick_times = []   # `time` of each probe-topic message (ms)
    http_ms = []      # request/response time of each probe
    latencies = []    # ms, in the order seen
    seen = 0          # probes seen in the feed
    probes_of = {name: [] for name in names}  # each pixel's probes, as indices into sends
    seen_of = {name: 0 for name in names}
    rates = []        # heartbeat ingestRate values
    interval = args.interval_ms / 1000
    start = time.monotonic()
    next_send = start
    end = start + args.duration_s
    give_up = end + 5

    while True:
        now = time.monotonic()
        if now >= next_send and now < end:
            sent_at = time.monotonic()
            sent_wall = time.time()
            name = names[len(sends) % len(names)]
            conn.request("GET", f"/p/{args.campaign}/{name}.gif")
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                sys.exit(f"feed_probe: probe hit answered {response.status}")
            probes_of[name].append(len(sends))
            sends.append(sent_at)
            sends_wall.append(sent_wall)
            http_ms.append((time.monotonic() - sent_at) * 1000)
            next_send += interval * random.uniform(0.5, 1.5)
            if next_send < time.monotonic():  # fell behind: do not burst
                next_send = time.monotonic() + interval
            continue
        if now >= end and seen >= len(sends) or now >= give_up:
            break
        wait = (next_send if now < end else give_up) - now
        if not poller.poll(max(0, min(wait, 0.1)) * 1000):
            continue
        while True:
            try:
                frames = sub.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                break
            received = time.monotonic()
            received_wall = time.time()
            body = json.loads(frames[1])
            if frames[0] == b"heartbeat/":
                if start + 1 < received < end:
                    rates.append(body["ingestRate"])
                continue
            name = body["pixel"]
            if name not in probes_of:
                continue  # the campaign's rollup
            views = max(w["views"] for w in body["windows"].values())
            tick_ms = body["time"]
            tick_times.append(tick_ms)
            probes = probes_of[name]
            while seen_of[name] < min(views, len(probes)):
                probe = probes[seen_of[name]]
                latencies.append((received - sends[probe]) * 1000)
                waits.append(tick_ms - sends_wall[probe] * 1000)
                publishes.append(received_wall * 1000 - tick_ms)
                seen_of[name] += 1
                seen += 1

    ordered = sorted(latencies)
    within = sum(1 for v in latencies if v <= args.within_ms)
    http_sorted = sorted(http_ms)
    waits.sort()
    publishes.sort()
    gaps = sorted(b - a for a, b in zip(tick_times, tick_times[1:]))
    print(
        f"probes={len(sends)} seen={seen} missing={len(sends) - seen} "
        f"p50_ms={percentile(ordered, 0.5):.1f} p90_ms={percentile(ordered, 0.9):.1f} "
        f"p99_ms={percentile(ordered, 0.99):.1f} max_ms={max(ordered, default=float('nan')):.1f} "
        f"min_ms={min(ordered, default=float('nan')):.1f} within_ms={args.within_ms:g} "
        f"within_frac={within / max(1, len(latencies)):.4f} "
        f"http_p50_ms={percentile(http_sorted, 0.5):.2f} http_p99_ms={percentile(http_sorted, 0.99):.2f} "
        f"wait_p99_ms={percentile(waits, 0.99):.1f} publish_p50_ms={percentile(publishes, 0.5):.1f} "
        f"publish_p99_ms={percentile(publishes, 0.99):.1f} publish_max_ms={max(publishes, default=float('nan')):.1f} "
        f"tick_gap_p50_ms={percentile(gaps, 0.5):.0f} tick_gap_max_ms={max(gaps, default=float('nan')):.0f} "
        f"heartbeat_rate_med={statistics.median(rates) if rates else float('nan'):.0f} heartbeats={len(rates)}"
    )
    if args.samples:
        with open(args.samples, "w") as out:
            out.writelines(f"{v:.3f}\n" for v in latencies)
    sys.exit(0 if seen == len(sends) else 3)


if __name__ == "__main__":
    main()
