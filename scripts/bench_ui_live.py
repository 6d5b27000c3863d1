"""The dashboard's live figures for scripts/bench-ui (issue 13): how soon a change reaches open pages, and what
open pages cost the database.

One job of a type no in-process pool serves is claimed through the HTTP worker protocol (DESIGN §10), so this
script makes its changes itself: each `POST /api/jobs/{id}/progress` commits a new progress message. `pages`
event streams of that job's page (`/ui/events?topic=job&id=`) are open meanwhile. For each change the time from
sending the request to the frame that shows the message, on every page, is recorded (an upper bound of
commit-to-page: the request's own handling is in it). The store's read transactions during the changes come
from `quaero_store_reads` on /metrics (the scrapes' own reads are measured and taken out), so running it with 1
page and with 100 shows what the 99 more pages cost.
"""

import http.client
import json
import selectors
import socket
import time

TYPE = "bench_ui"


def call(api, method: str, path: str, body=None):
    api.request(method, path, body=json.dumps(body) if body is not None else None,
                headers={"Content-Type": "application/json"})
    response = api.getresponse()
    data = response.read()
    if response.status >= 300:
        raise SystemExit(f"bench-ui: {method} {path} answered {response.status}: {data[:300]!r}")
    return json.loads(data) if data else None


def store_reads(api) -> int:
    """`quaero_store_reads` now (this scrape's reads included)."""
    api.request("GET", "/metrics")
    text = api.getresponse().read().decode()
    for line in text.splitlines():
        if line.startswith("quaero_store_reads "):
            return int(float(line.split()[1]))
    raise SystemExit("bench-ui: /metrics has no quaero_store_reads (a store that does not count its reads?)")


def open_page(port: int, job: str) -> socket.socket:
    """A job page's event stream, read up to its first state frame."""
    stream = socket.create_connection(("127.0.0.1", port), timeout=30)
    stream.sendall(f"GET /ui/events?topic=job&id={job} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    received = b""
    deadline = time.monotonic() + 30
    while b"job-status" not in received:
        if time.monotonic() > deadline:
            raise SystemExit("bench-ui: a job page's stream sent no state within 30 s")
        received += stream.recv(65536)
    stream.setblocking(False)
    return stream


def drain(streams, seconds: float) -> None:
    """Reads whatever the streams send for `seconds`."""
    selector = selectors.DefaultSelector()
    for stream in streams:
        selector.register(stream, selectors.EVENT_READ)
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        for key, _ in selector.select(left):
            key.fileobj.recv(1 << 20)
    selector.close()


def await_marker(streams, marker: bytes, sent: float, timeout: float = 10) -> list:
    """Milliseconds from `sent` until each stream carried `marker`."""
    selector = selectors.DefaultSelector()
    buffers = {}
    for stream in streams:
        selector.register(stream, selectors.EVENT_READ)
        buffers[stream] = b""
    arrived = []
    deadline = time.monotonic() + timeout
    while len(arrived) < len(streams):
        left = deadline - time.monotonic()
        if left <= 0:
            raise SystemExit(f"bench-ui: {len(streams) - len(arrived)} of {len(streams)} pages never showed {marker!r}")
        for key, _ in selector.select(left):
            stream = key.fileobj
            chunk = stream.recv(1 << 20)
            if not chunk:
                raise SystemExit("bench-ui: a page's stream closed")
            buffers[stream] += chunk
            if marker in buffers[stream]:
                arrived.append((time.monotonic() - sent) * 1000)
                selector.unregister(stream)
    selector.close()
    return arrived


def percentile(values: list, fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(fraction * len(ordered))) - 1))]


def fan_out(port: int, pages: int, events: int, interval: float) -> dict:
    """`events` changes of one job with `pages` of its page open: latencies and the store's reads."""
    api = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    claim = {"types": [TYPE], "limit": 1, "wait": "0s", "lease": "300s", "worker": "bench-ui"}
    call(api, "POST", "/api/jobs/claim", claim)  # announces the type, so that the job can be created
    job = call(api, "POST", "/api/jobs", {"type": TYPE, "config": {}})["id"]
    claimed = call(api, "POST", "/api/jobs/claim", dict(claim, wait="10s"))["jobs"]
    if not claimed or claimed[0]["id"] != job:
        raise SystemExit(f"bench-ui: the claim did not return job {job}: {claimed}")
    lease = claimed[0]["lease"]
    streams = [open_page(port, job) for _ in range(pages)]
    drain(streams, 1.0)
    before = store_reads(api)
    latencies = []
    for n in range(events):
        marker = f"bench-{pages}-{n}-done"
        sent = time.monotonic()
        call(api, "POST", f"/api/jobs/{job}/progress", {"lease": lease, "completed": n + 1, "total": events, "message": marker})
        latencies += await_marker(streams, marker.encode(), sent)
        drain(streams, interval)
    after = store_reads(api)
    scrape = store_reads(api) - after  # the reads of one scrape
    call(api, "POST", f"/api/jobs/{job}/complete", {"lease": lease})
    for stream in streams:
        stream.close()
    api.close()
    reads = after - before - scrape
    return {
        f"event_to_page_ms_p50_{pages}_pages": round(percentile(latencies, 0.5), 2),
        f"event_to_page_ms_p99_{pages}_pages": round(percentile(latencies, 0.99), 2),
        f"event_to_page_ms_max_{pages}_pages": round(max(latencies), 2),
        f"store_reads_{pages}_pages": reads,
        f"store_reads_per_event_{pages}_pages": round(reads / events, 2),
    }
