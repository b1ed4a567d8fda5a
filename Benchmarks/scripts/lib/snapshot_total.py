"""Prints the events (views + clicks + conversions) in every campaign's 1h window, summed,
read from an aggregator's snapshot socket: python3 snapshot_total.py SNAPSHOT_ENDPOINT"""
import json, sys, zmq

dealer = zmq.Context().socket(zmq.DEALER)
dealer.connect(sys.argv[1])
dealer.send(b"stats/")
total = 0
while True:
    topic, body = dealer.recv_multipart()
    if topic == b"snapshot/end/":
        break
    if topic.endswith(b"/*/"):
        hour = json.loads(body)["windows"]["1h"]
        total += hour["views"] + hour["clicks"] + hour["conversions"]
print(total)
