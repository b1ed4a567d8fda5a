#!/usr/bin/env python3
"""Writes, as Redis protocol for `redis-cli --pipe`, what a user would send Redis to count the
aggregator's traffic the usual way: per-second buckets, summed into windows when read.

    redis_counters.py EVENTS OUT_FILE

The traffic is ingest-load's shape: EVENTS events over 1000 campaigns x 100 pixels,
scattered (each run of 256 consecutive events touches 256 different keys), ~95 % views,
~4 % clicks, ~1 % conversions with a value, a visitor hash on every event, times spread
over 10 seconds. Per event:

    HINCRBY px:<campaign>:<pixel>:<second> <kind> 1      the pixel's bucket
    HINCRBY cp:<campaign>:<second> <kind> 1              the campaign's (rollup) bucket
    PFADD   uv:<campaign>:<second> <visitor>             the campaign's unique visitors
  + HINCRBY ... value <v> on both buckets for a conversion
  + EXPIRE <bucket> 3660 once per bucket, the first time it is written (an hour of history)

Prints `events=N commands=M bytes=B` on stdout.
"""
import random
import sys

CAMPAIGNS, PIXELS, SECONDS = 1000, 100, 10


def command(*parts):
    out = [b"*%d\r\n" % len(parts)]
    for part in parts:
        data = part if isinstance(part, bytes) else str(part).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(out)


def main():
    events, path = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(15)
    keys = CAMPAIGNS * PIXELS
    stride = 7919  # a prime: consecutive events land on keys far apart, as --order scattered
    seen, commands, written = set(), 0, 0
    with open(path, "wb", buffering=1 << 20) as out:
        for i in range(events):
            key = (i * stride) % keys
            campaign, pixel = key // PIXELS, key % PIXELS
            second = i * SECONDS // events
            roll = rng.random()
            kind = "views" if roll < 0.95 else "clicks" if roll < 0.99 else "conversions"
            bucket_pixel = f"px:c{campaign}:p{pixel}:{second}"
            bucket_campaign = f"cp:c{campaign}:{second}"
            uniques = f"uv:c{campaign}:{second}"
            chunk = [command("HINCRBY", bucket_pixel, kind, 1), command("HINCRBY", bucket_campaign, kind, 1),
                     command("PFADD", uniques, "%016x" % rng.getrandbits(64))]
            if kind == "conversions":
                value = rng.randint(500, 20000)
                chunk += [command("HINCRBY", bucket_pixel, "value", value), command("HINCRBY", bucket_campaign, "value", value)]
            for bucket in (bucket_pixel, bucket_campaign, uniques):
                if bucket not in seen:
                    seen.add(bucket)
                    chunk.append(command("EXPIRE", bucket, 3660))
            data = b"".join(chunk)
            out.write(data)
            commands += len(chunk)
            written += len(data)
    print(f"events={events} commands={commands} bytes={written}")


if __name__ == "__main__":
    main()
