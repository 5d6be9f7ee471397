"""The Python workload for bench/bench.py: a threaded HTTP server (one thread
per connection, as ThreadingHTTPServer does) whose requests allocate like the
Ruby app's: records of varied sizes, JSON out and back in, a summary string
kept in a bounded cache shared by every thread.

Usage: python3 server.py PORT"""
import json
import random
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CACHE = {}
CACHE_MAX = 3000
LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: wrk's connections stay open

    def do_GET(self):
        rng = random.Random()
        records = [
            {
                "id": i,
                "name": "user-%d" % rng.randrange(1_000_000),
                "tags": ["t" * (1 + rng.randrange(40)) for _ in range(rng.randrange(8))],
                "bio": "x" * rng.randrange(2000),
            }
            for i in range(20 + rng.randrange(400))
        ]
        body = json.dumps(records).encode()
        summary = ",".join("%s:%d" % (r["name"], len(r["tags"])) for r in json.loads(body))
        with LOCK:
            CACHE[rng.randrange(100_000)] = summary[: 1 + rng.randrange(len(summary))]
            while len(CACHE) > CACHE_MAX:
                CACHE.pop(next(iter(CACHE)))
        out = body[:4096]
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
