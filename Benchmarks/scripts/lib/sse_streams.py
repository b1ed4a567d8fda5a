#!/usr/bin/env python3
"""sse_streams.py - N Server-Sent-Events streams of a dashboard against its ZeroMQ feed.

One asyncio process opens --streams raw HTTP/1.1 connections to GET --path on the dashboard
(127.0.0.1:--port), and a child process (fork) SUBscribes to the whole aggregator feed
(--feed, RCVHWM 0). Both stamp arrivals with time.monotonic() (CLOCK_MONOTONIC: one clock for
the whole machine), so lag = SSE arrival - feed arrival of the same `seq`.

The streams are not parsed as JSON. Each socket read is appended to the stream's carry, the
text up to its last "\\n\\n" (a complete event) is scanned with bytes.find/count, and the rest
is carried over. Per stream, inside the window:
  * every `event: heartbeat` -> (id, arrival): the heartbeat lag;
  * the last `id:` of every read -> (id, arrival): "write" lag, the lag of the last event of
    a feed update's write (the dashboard writes an update's events for a stream at once);
  * events (`event: ` lines), bytes read, `event: state` count (resyncs), and whether the
    server ended the stream. The dashboard ends a slow stream's response (the last chunk,
    the connection kept alive); like an EventSource, the stream then reconnects after
    --retry-ms with Last-Event-ID: the last id it read.
The feed child records every message's seq -> arrival, and counts rollup topics
(`stats/<c>/*/`) per tick (grouped by the body's `time`: the aggregator's tick clock).

Window: after every stream has had its first `event: state` and --warmup-s has passed,
--duration-s seconds. /proc/<pid>/stat utime+stime of every --cpu NAME=PID is read at both
ends of the window (CPU as a fraction of one core).

Prints one line of key=value pairs:
  streams=.. connected=.. closed=.. ends=.. window_s=.. cpu_<name>=.. events_per_stream_s_med=..
  events_per_stream_s_min=.. bytes_per_s=.. states=.. hb_samples=.. hb_missed=.. hb_p50_ms=..
  hb_p99_ms=.. hb_max_ms=.. write_samples=.. write_p50_ms=.. write_p99_ms=.. write_max_ms=..
  over_tick=.. rollups_per_tick_min=.. rollups_per_tick_med=.. rollups_full_frac=.. ticks=.. feed_msgs_per_s=..
  client_cpu=..
(lags over all streams; closed = streams the server ended at least once before the window's
end, ends = how many times in the window; hb_missed = heartbeats the feed had by the window's
end minus 2 ticks that a stream never read, summed over streams; over_tick = heartbeat samples later than --tick-ms; rollups_full_frac =
the fraction of ticks with at least --campaigns rollups). With --samples
FILE: every heartbeat lag, "stream lag_ms" per line.

Needs pyzmq. Usage:
  sse_streams.py --port P --path '/v1/stream?rollups=true&prefix=alerts/' --streams 100
                 --feed tcp://127.0.0.1:N [--warmup-s 3] [--duration-s 25] [--tick-ms 1000]
                 [--cpu dashboard=PID ...] [--samples FILE]
"""
import argparse
import asyncio
import multiprocessing
import os
import re
import sys
import time

import zmq

HB = b"event: heartbeat\nid: "
SEQ = re.compile(rb'"seq":(\d+)')
TIME = re.compile(rb'"time":(\d+)')
HZ = os.sysconf("SC_CLK_TCK")


def percentile(values, fraction):
    """Nearest-rank percentile of a sorted list."""
    if not values:
        return float("nan")
    rank = max(1, -int(-fraction * len(values) // 1))
    return values[min(rank, len(values)) - 1]


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / HZ  # utime, stime (fields 14, 15)


def feed_recorder(endpoint, ready, stop, results):
    """Child process: every feed message's seq -> monotonic arrival; rollups per tick."""
    context = zmq.Context()
    sub = context.socket(zmq.SUB)
    sub.setsockopt(zmq.RCVHWM, 0)
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    sub.connect(endpoint)
    poller = zmq.Poller()
    poller.register(sub, zmq.POLLIN)
    arrivals = {}
    rollups = {}
    heartbeat_seen = False
    count = 0
    first = last = time.monotonic()
    while not stop.is_set():
        if not poller.poll(50):
            continue
        while True:
            try:
                frames = sub.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                break
            now = time.monotonic()
            topic, body = frames[0], frames[-1]
            m = SEQ.search(body)
            if m:
                arrivals[int(m.group(1))] = now
            count += 1
            last = now
            if topic == b"heartbeat/":
                if not heartbeat_seen:
                    heartbeat_seen = True
                    first = now
                    count = 0
                    ready.set()
            elif topic.endswith(b"/*/") and topic.startswith(b"stats/"):
                t = TIME.search(body)
                if t:
                    key = int(t.group(1))
                    rollups[key] = rollups.get(key, 0) + 1
    results.send((arrivals, rollups, count / max(last - first, 1e-9)))
    results.close()
    sub.close(0)
    context.term()


class Stream:
    """One logical stream, as an EventSource: reconnects with Last-Event-ID when its response
    ends (the server closes a slow stream by ending its response) or its connection drops."""
    recording = False  # class-wide: inside the window

    def __init__(self, index, args, on_state):
        self.index = index
        self.args = args
        self.on_state = on_state
        self.carry = b""
        self.started = False
        self.closed_at = None  # the first time the server ended this stream
        self.ends = 0          # responses ended by the server, in the window
        self.events = 0
        self.bytes = 0
        self.states = 0
        self.last_id = None
        self.heartbeats = []  # (seq, arrival)
        self.writes = []      # (last seq of a read, arrival)
        self.transport = None
        self.stopped = False

    def request(self):
        extra = f"Last-Event-ID: {self.last_id}\r\n" if self.last_id is not None else ""
        return (f"GET {self.args.path} HTTP/1.1\r\nHost: 127.0.0.1:{self.args.port}\r\n"
                f"Accept: text/event-stream\r\nCache-Control: no-cache\r\n{extra}\r\n").encode()

    async def connect(self):
        loop = asyncio.get_running_loop()
        self.carry = b""
        await loop.create_connection(lambda: Connection(self), "127.0.0.1", self.args.port)

    def data_received(self, data):
        now = time.monotonic()
        buf = self.carry + data if self.carry else data
        end = buf.rfind(b"\n\n")
        if end < 0:
            self.carry = buf
            return
        self.carry = buf[end + 2:]
        k = buf.rfind(b"\nid: ", 0, end)
        last = None
        if k >= 0:
            j = buf.find(b"\n", k + 5)
            last = int(buf[k + 5:j])
            self.last_id = last
        if not self.started:
            if buf.find(b"event: state", 0, end) >= 0:
                self.started = True
                self.on_state()
        elif Stream.recording:
            self.bytes += len(data)
            self.events += buf.count(b"event: ", 0, end)
            self.states += buf.count(b"event: state", 0, end)
            i = buf.find(HB, 0, end)
            while i >= 0:
                j = buf.find(b"\n", i + len(HB))
                self.heartbeats.append((int(buf[i + len(HB):j]), now))
                i = buf.find(HB, j, end)
            if last is not None:
                self.writes.append((last, now))
        if self.carry.endswith(b"\r\n0\r\n\r\n"):  # the last chunk: the server ended the response
            self.ended()

    def ended(self):
        if self.transport is None:
            return
        transport, self.transport = self.transport, None
        transport.close()
        if self.stopped:
            return
        if self.closed_at is None:
            self.closed_at = time.monotonic()
        if Stream.recording:
            self.ends += 1
        asyncio.get_running_loop().call_later(self.args.retry_ms / 1000, self.reconnect)

    def reconnect(self):
        if not self.stopped:
            asyncio.ensure_future(self.connect())

    def stop(self):
        self.stopped = True
        if self.transport:
            self.transport.close()


class Connection(asyncio.Protocol):
    def __init__(self, stream):
        self.stream = stream

    def connection_made(self, transport):
        self.stream.transport = transport
        transport.write(self.stream.request())

    def data_received(self, data):
        self.stream.data_received(data)

    def connection_lost(self, exc):
        if self.stream.transport is not None:
            self.stream.ended()


async def run(args):
    started = 0
    all_started = asyncio.Event()

    def on_state():
        nonlocal started
        started += 1
        if started == args.streams:
            all_started.set()

    streams = []
    for index in range(args.streams):
        stream = Stream(index, args, on_state)
        await stream.connect()
        streams.append(stream)
    try:
        await asyncio.wait_for(all_started.wait(), timeout=30)
    except asyncio.TimeoutError:
        sys.exit(f"sse_streams: only {started} of {args.streams} streams got their state within 30 s")
    await asyncio.sleep(args.warmup_s)

    cpu0 = {name: cpu_seconds(pid) for name, pid in args.cpu}
    own0 = os.times()
    t0 = time.monotonic()
    Stream.recording = True
    await asyncio.sleep(args.duration_s)
    Stream.recording = False
    t1 = time.monotonic()
    cpu1 = {name: cpu_seconds(pid) for name, pid in args.cpu}
    own1 = os.times()
    for s in streams:
        s.stop()
    window = t1 - t0
    cpu = {name: (cpu1[name] - cpu0[name]) / window for name in cpu0}
    client_cpu = ((own1.user - own0.user) + (own1.system - own0.system)) / window
    return streams, t0, t1, cpu, client_cpu


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", default="/v1/stream?rollups=true&prefix=alerts/")
    parser.add_argument("--streams", type=int, default=100)
    parser.add_argument("--feed", required=True)
    parser.add_argument("--warmup-s", type=float, default=3)
    parser.add_argument("--duration-s", type=float, default=25)
    parser.add_argument("--tick-ms", type=float, default=1000)
    parser.add_argument("--cpu", action="append", default=[],
                        type=lambda v: (v.split("=", 1)[0], int(v.split("=", 1)[1])))
    parser.add_argument("--retry-ms", type=float, default=3000, help="reconnect delay (EventSource's default is about 3 s)")
    parser.add_argument("--campaigns", type=int, default=0, help="rollups a full tick has (for rollups_full_frac)")
    parser.add_argument("--samples")
    args = parser.parse_args()

    ctx = multiprocessing.get_context("fork")
    ready, stop = ctx.Event(), ctx.Event()
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=feed_recorder, args=(args.feed, ready, stop, send), daemon=True)
    child.start()
    if not ready.wait(10):
        child.terminate()
        sys.exit("sse_streams: no heartbeat on the feed within 10 s")

    try:
        streams, t0, t1, cpu, client_cpu = asyncio.run(run(args))
    finally:
        time.sleep(0.2)
        stop.set()
    arrivals, rollups, feed_rate = receive.recv()
    child.join(10)

    # Heartbeat lag: every heartbeat a stream read inside the window. Missed: heartbeats the
    # feed had by t1 - 2 ticks (so a stream within a tick has had them) that a stream that
    # stayed open never read.
    hb_lags, write_lags, samples = [], [], []
    for s in streams:
        for seq, t in s.heartbeats:
            if seq in arrivals:
                lag = (t - arrivals[seq]) * 1000
                hb_lags.append(lag)
                samples.append((s.index, lag))
        for seq, t in s.writes:
            if seq in arrivals:
                write_lags.append((t - arrivals[seq]) * 1000)
    hb_seqs_per_stream = [set(seq for seq, _ in s.heartbeats) for s in streams]
    # Feed heartbeats in the window (by arrival), known from the streams' own seqs: any seq a
    # stream saw as a heartbeat is a heartbeat seq.
    every_hb = set().union(*hb_seqs_per_stream) if hb_seqs_per_stream else set()
    cutoff = t1 - 2 * args.tick_ms / 1000
    expected = {seq for seq in every_hb if t0 + args.tick_ms / 1000 <= arrivals.get(seq, 0) <= cutoff}
    open_streams = [s.closed_at is None or s.closed_at >= t1 for s in streams]
    missed = sum(len(expected - got) for got in hb_seqs_per_stream)
    hb_lags.sort()
    write_lags.sort()
    window = t1 - t0
    per_stream = sorted(s.events / window for s in streams)
    ticks = sorted(rollups.items())[1:-1]  # the first and last tick may be partial
    counts = sorted(n for _, n in ticks)
    over = sum(1 for v in hb_lags if v > args.tick_ms)
    fields = {
        "streams": args.streams,
        "connected": sum(1 for s in streams if s.started),
        "closed": open_streams.count(False),
        "ends": sum(s.ends for s in streams),
        "window_s": f"{window:.1f}",
        **{f"cpu_{name}": f"{value:.3f}" for name, value in cpu.items()},
        "events_per_stream_s_med": f"{percentile(per_stream, 0.5):.0f}",
        "events_per_stream_s_min": f"{per_stream[0] if per_stream else float('nan'):.0f}",
        "bytes_per_s": f"{sum(s.bytes for s in streams) / window:.0f}",
        "states": sum(s.states for s in streams),
        "hb_samples": len(hb_lags),
        "hb_missed": missed,
        "hb_p50_ms": f"{percentile(hb_lags, 0.5):.1f}",
        "hb_p99_ms": f"{percentile(hb_lags, 0.99):.1f}",
        "hb_max_ms": f"{hb_lags[-1] if hb_lags else float('nan'):.1f}",
        "write_samples": len(write_lags),
        "write_p50_ms": f"{percentile(write_lags, 0.5):.1f}",
        "write_p99_ms": f"{percentile(write_lags, 0.99):.1f}",
        "write_max_ms": f"{write_lags[-1] if write_lags else float('nan'):.1f}",
        "over_tick": over,
        "rollups_per_tick_min": counts[0] if counts else "nan",
        "rollups_per_tick_med": percentile(counts, 0.5) if counts else "nan",
        "rollups_full_frac": f"{sum(1 for c in counts if c >= args.campaigns) / len(counts):.3f}" if counts else "nan",
        "ticks": len(counts),
        "feed_msgs_per_s": f"{feed_rate:.0f}",
        "client_cpu": f"{client_cpu:.3f}",
    }
    print(" ".join(f"{k}={v}" for k, v in fields.items()))
    if args.samples:
        with open(args.samples, "w") as out:
            out.writelines(f"{i} {lag:.3f}\n" for i, lag in samples)


if __name__ == "__main__":
    main()
