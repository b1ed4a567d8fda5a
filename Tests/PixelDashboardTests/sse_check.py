#!/usr/bin/env python3
"""Reads a dashboard's SSE stream with the standard library only, as a browser would.

Usage: sse_check.py URL TOPIC VIEWS [LAST_EVENT_ID]
Prints "state SEQ" once the first event (a state) has arrived, then waits for a stats event
on TOPIC whose 1h window holds VIEWS views, prints "stats SEQ VIEWS" and exits 0. With
LAST_EVENT_ID, sent as the Last-Event-ID header as a reconnecting EventSource does, the
first event must instead be a replayed message after that id: prints "resumed SEQ". Exits 1
on anything else, or after 30 s.
"""
import json
import sys
import urllib.request


def events(response):
    event, data, ident = None, [], None
    for raw in response:
        line = raw.decode("utf-8").rstrip("\n")
        if line == "":
            if event is not None or data:
                yield event, ident, "\n".join(data)
            event, data, ident = None, [], None
        elif line.startswith(":"):
            continue
        else:
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "event":
                event = value
            elif name == "data":
                data.append(value)
            elif name == "id":
                ident = value


def main():
    url, topic, views = sys.argv[1], sys.argv[2], int(sys.argv[3])
    resume = sys.argv[4] if len(sys.argv) > 4 else None
    headers = {"Accept": "text/event-stream"}
    if resume:
        headers["Last-Event-ID"] = resume
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        if response.headers.get("Content-Type") != "text/event-stream":
            print("not an event stream:", response.headers.get("Content-Type"), flush=True)
            return 1
        first = True
        for event, ident, data in events(response):
            body = json.loads(data)
            if first and resume:
                if event == "state" or int(ident) <= int(resume):
                    print("not resumed after", resume, ":", event, ident, flush=True)
                    return 1
                print("resumed", ident, flush=True)
                first = False
            elif first:
                if event != "state" or int(ident) != body["seq"]:
                    print("the first event is not a state:", event, flush=True)
                    return 1
                print("state", ident, flush=True)
                first = False
                continue
            if event == "stats" and f"stats/{body['campaign']}/{body['pixel'] or '*'}/" == topic:
                seen = body["windows"]["1h"]["views"]
                if seen == views:
                    print("stats", ident, seen, flush=True)
                    return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
