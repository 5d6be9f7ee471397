"""The Python web workload for bench/bench.py: a threaded HTTP server (one
thread per connection, as ThreadingHTTPServer does) whose requests allocate
like the Ruby app's (bench/app/config.ru): records of mixed sizes, rendered as
HTML or as JSON and parsed back, and a fragment (1 KiB to 64 KiB) kept in a
cache shared by every thread whose bound grows and shrinks over a cycle of
BENCH_CYCLE_S seconds (20 by default).

Usage: python3 server.py PORT"""
import html
import json
import math
import os
import random
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CACHE = {}
CACHE_MAX = 6000
CYCLE_S = float(os.environ.get("BENCH_CYCLE_S", "20"))
LOCK = threading.Lock()
T0 = time.monotonic()


def record(rng, i):
    size = rng.randrange(200) if rng.randrange(100) < 90 else 200 + rng.randrange(8000)
    return {"id": i, "name": "user-%d" % rng.randrange(1_000_000), "tags": ["t" * (1 + rng.randrange(30)) for _ in range(rng.randrange(6))],
            "bio": "lorem ipsum " * (size // 12), "score": rng.random() * 100}


def page(title, records):
    rows = "".join('<tr id="r%d"><td>%s</td><td>%s</td><td>%s</td><td>%.2f</td></tr>\n'
                   % (r["id"], html.escape(r["name"]), " ".join("<span>%s</span>" % t for t in r["tags"]), html.escape(r["bio"]), r["score"])
                   for r in records)
    return "<!DOCTYPE html>\n<html><head><title>%s</title></head><body><h1>%s</h1><table>\n%s</table></body></html>\n" % (title, title, rows)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: wrk's connections stay open

    def do_GET(self):
        rng = random.Random()
        records = [record(rng, i) for i in range(10 + rng.randrange(120))]
        if rng.randrange(2):
            body, ctype = page("Page %d" % rng.randrange(1000), records), "text/html"
        else:
            body, ctype = json.dumps(records), "application/json"
            for r in json.loads(body):
                r["name"] = r["name"].upper()
        fragment = body[: 1024 + rng.randrange(64 * 1024)]
        bound = int(CACHE_MAX * (0.55 + 0.45 * math.sin(2 * math.pi * (time.monotonic() - T0) / CYCLE_S)))
        with LOCK:
            CACHE[rng.randrange(1 << 30)] = fragment
            while len(CACHE) > bound:
                CACHE.pop(next(iter(CACHE)))
        out = body[:8192].encode()
        self.send_response(200)
        self.send_header("content-type", ctype)
        self.send_header("content-length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
