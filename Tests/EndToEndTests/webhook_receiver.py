"""A webhook receiver for tests: answers 503 to the first --fail POSTs, then 200.

Prints `port: N` once listening, then for each accepted POST a line
`<status of its first alert>: <body as one line of JSON>`, and `refused: K` for each refusal.
"""
import argparse
import json
import signal
from http.server import BaseHTTPRequestHandler, HTTPServer

parser = argparse.ArgumentParser()
parser.add_argument("--fail", type=int, default=0)
arguments = parser.parse_args()
refused = 0


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        global refused
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if refused < arguments.fail:
            refused += 1
            self.send_response(503)
            self.end_headers()
            print(f"refused: {refused}", flush=True)
            return
        payload = json.loads(body)
        self.send_response(200)
        self.end_headers()
        print(f"{payload['alerts'][0]['status']}: {json.dumps(payload)}", flush=True)

    def log_message(self, *args):
        pass


# A parent's worker thread may have spawned us with SIGTERM blocked.
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
server = HTTPServer(("127.0.0.1", 0), Receiver)
print(f"port: {server.server_address[1]}", flush=True)
server.serve_forever()
