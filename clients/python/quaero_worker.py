"""Quaero's reference HTTP worker: run Quaero jobs in Python, with the standard library only.

A `Worker` claims jobs of the types it has handlers for from `quaero serve` (POST /api/jobs/claim, a long
poll), runs each handler, and completes or fails the job with its lease token. A thread heartbeats every job
it holds (a third of the lease), so a job whose worker dies comes back after its lease; a job cancelled
meanwhile has `job.cancelled` set at the next heartbeat. SIGTERM or SIGINT stops it gracefully: it claims no
more, finishes the job it runs, gives back jobs it had claimed but not started, and returns from `run()`.

    from quaero_worker import Worker

    worker = Worker("http://127.0.0.1:8080", name="thumbnailer-1")

    @worker.handler("thumbnail")
    def thumbnail(job):
        job.log(f"making a thumbnail of {job.config['path']}")
        return {"thumbnail": job.config["path"] + ".png"}   # the job's result

    worker.run()

A handler returns the job's result (anything JSON can hold). It raises `Fail` when the job can never succeed
(it fails at once, no retry), `Retry(after="10s")` to run again after a delay, and any other exception for a
failed attempt retried after the server's backoff (until max_receive, then it is dead-lettered).
"""

import http.client
import json
import logging
import os
import signal
import socket
import threading
import time
import traceback
import urllib.parse

__all__ = ["Worker", "Job", "Client", "Fail", "Retry", "QuaeroError", "LeaseLost"]

log = logging.getLogger("quaero_worker")


class QuaeroError(Exception):
    """An error answer of the API: its HTTP status and `{"error": {"code", "message"}}`."""

    def __init__(self, status, code, message):
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message


class LeaseLost(QuaeroError):
    """409 `lease_lost`: the lease token names no current delivery (it expired and another worker claimed the
    job, or the job ended). Nothing was changed; stop working on the job."""


class Fail(Exception):
    """Raised by a handler: the job can never succeed; it fails at once and is not retried."""


class Retry(Exception):
    """Raised by a handler: the attempt failed; run the job again after `after` (a duration such as "10s")."""

    def __init__(self, message="retry requested", after=None):
        super().__init__(message)
        self.after = after


def duration_text(value):
    """A duration as the API writes it: text such as "20s" is kept, a number of seconds becomes milliseconds."""
    if isinstance(value, str):
        return value
    return f"{max(0, round(value * 1000))}ms"


def duration_seconds(text):
    """Seconds of a duration text ("500ms", "20s", "1m30s", "1h")."""
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
    total, number, unit = 0.0, "", ""
    for char in str(text).strip() + " ":
        if char.isdigit():
            if unit:
                total, number, unit = total + int(number) * units[unit], "", ""
            number += char
        elif char.isalpha():
            unit += char
        elif number:
            total, number, unit = total + int(number) * units[unit], "", ""
    return total


class Client:
    """The HTTP API, one keep-alive connection per thread. `token` is [server] api_token, if set."""

    def __init__(self, url, token=None, timeout=30.0):
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ValueError(f"not an http(s) URL: {url!r}")
        self.scheme, self.host = parsed.scheme, parsed.hostname
        self.port = parsed.port or (443 if parsed.scheme == "https" else 80)
        self.base = parsed.path.rstrip("/")
        self.timeout = timeout
        self.headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        self._local = threading.local()
        self._polls = set()  # connections waiting in a long poll, for `stop_polls`
        self._polls_stopped = False
        self._lock = threading.Lock()

    def _connection(self, timeout):
        connection = getattr(self._local, "connection", None)
        if connection is None:
            kind = http.client.HTTPSConnection if self.scheme == "https" else http.client.HTTPConnection
            connection = kind(self.host, self.port, timeout=timeout)
            self._local.connection = connection
        connection.timeout = timeout
        if connection.sock is None:
            connection.connect()
        connection.sock.settimeout(timeout)
        return connection

    def _drop(self):
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None

    def close(self):
        """Closes this thread's connection (the next request opens another)."""
        self._drop()

    def stop_polls(self):
        """Breaks off the long polls in flight and refuses new ones (from any thread): they raise `OSError`.
        Other requests (a job's end) go on."""
        with self._lock:
            self._polls_stopped = True
            sockets = [connection.sock for connection in self._polls if connection.sock is not None]
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def request(self, method, path, body=None, timeout=None, poll=False):
        """Sends one request; returns the JSON answer, or raises `QuaeroError` (`LeaseLost` for lease_lost).
        `poll`: a long poll, which `stop_polls` breaks off."""
        data = None if body is None else json.dumps(body).encode()
        for attempt in (1, 2):
            connection = self._connection(timeout or self.timeout)
            if poll:
                with self._lock:
                    if self._polls_stopped:
                        raise ConnectionAbortedError("the worker is stopping")
                    self._polls.add(connection)
            try:
                connection.request(method, self.base + path, body=data, headers=self.headers)
                response = connection.getresponse()
                payload = response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as error:
                # A kept-alive connection the server closed meanwhile: once more on a new one.
                self._drop()
                if attempt == 2 or (poll and self._polls_stopped):
                    raise error
            except BaseException:
                self._drop()
                raise
            finally:
                if poll:
                    with self._lock:
                        self._polls.discard(connection)
        answer = json.loads(payload) if payload else None
        if response.status >= 400:
            detail = (answer or {}).get("error", {}) if isinstance(answer, dict) else {}
            kind = LeaseLost if detail.get("code") == "lease_lost" else QuaeroError
            raise kind(response.status, detail.get("code", f"http_{response.status}"), detail.get("message", ""))
        return answer

    def claim(self, types, worker, limit=1, wait="0s", lease="30s"):
        """POST /api/jobs/claim: up to `limit` jobs, each with its "lease" token and "lease_expires_at"."""
        body = {"types": list(types), "worker": worker, "limit": limit, "wait": duration_text(wait),
                "lease": duration_text(lease)}
        timeout = duration_seconds(body["wait"]) + self.timeout
        return self.request("POST", "/api/jobs/claim", body, timeout=timeout, poll=True)["jobs"]

    def heartbeat(self, job_id, lease):
        """Extends the lease; the answer's "cancelled" says whether the job was cancelled meanwhile."""
        return self.request("POST", f"/api/jobs/{job_id}/heartbeat", {"lease": lease})

    def progress(self, job_id, lease, completed=None, total=None, failed=None, message=None):
        body = {"lease": lease, "completed": completed, "total": total, "failed": failed, "message": message}
        return self.request("POST", f"/api/jobs/{job_id}/progress", {k: v for k, v in body.items() if v is not None})

    def logs(self, job_id, lease, lines):
        """Appends lines, each {"level", "message"}, to the job's log."""
        return self.request("POST", f"/api/jobs/{job_id}/logs", {"lease": lease, "lines": lines})

    def complete(self, job_id, lease, result=None):
        return self.request("POST", f"/api/jobs/{job_id}/complete", {"lease": lease, "result": result})

    def fail(self, job_id, lease, error, retry=True, retry_after=None):
        body = {"lease": lease, "error": error, "retry": retry}
        if retry and retry_after is not None:
            body["retry_after"] = duration_text(retry_after)
        return self.request("POST", f"/api/jobs/{job_id}/fail", body)

    def submit(self, job_type, config=None):
        """POST /api/jobs: creates a job (202 with the job)."""
        return self.request("POST", "/api/jobs", {"type": job_type, "config": config or {}})

    def job(self, job_id):
        return self.request("GET", f"/api/jobs/{job_id}")


class Job:
    """A claimed job, as a handler gets it."""

    def __init__(self, data, client):
        self.data = data
        self.id, self.type = data["id"], data["type"]
        self.config = data.get("config") or {}
        self.fields = data.get("fields") or {}
        self.attempt = data.get("attempts", 1)
        self.lease = data["lease"]
        self.cancelled = threading.Event()  # set when the job was cancelled (seen at a heartbeat)
        self.lost = threading.Event()  # set when its lease was lost: another worker may run it now
        self._client = client
        self._lines = []
        self._lines_lock = threading.Lock()

    def log(self, message, level="info"):
        """Adds a line to the job's log (sent in batches: with the job's end, or every 100 lines)."""
        with self._lines_lock:
            self._lines.append({"level": level, "message": str(message)[:10000] or " "})
            full = len(self._lines) >= 100
        if full:
            self.flush_logs()

    def flush_logs(self):
        with self._lines_lock:
            lines, self._lines = self._lines, []
        for start in range(0, len(lines), 1000):
            self._client.logs(self.id, self.lease, lines[start:start + 1000])

    def progress(self, completed=None, total=None, failed=None, message=None):
        """Reports progress: the counters given replace the job's; `message` is shown with it."""
        self._client.progress(self.id, self.lease, completed, total, failed, message)

    @property
    def should_stop(self):
        """Whether the handler should give up: the job was cancelled or its lease was lost."""
        return self.cancelled.is_set() or self.lost.is_set()


class Worker:
    """Runs handlers for job types over the HTTP API of `quaero serve` at `url`.

    name: how the worker shows in job logs and `quaero jobs show` (default host:pid); concurrency: jobs run
    at once (one thread each); limit: jobs per claim (default 1); wait: the long poll of each claim; lease:
    how long a job stays ours without a heartbeat. `token` defaults to $QUAERO_API_TOKEN.
    """

    def __init__(self, url="http://127.0.0.1:8080", *, name=None, token=None, concurrency=1, limit=1,
                 wait="20s", lease="30s"):
        self.client = Client(url, token if token is not None else os.environ.get("QUAERO_API_TOKEN"))
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self.concurrency, self.limit = concurrency, limit
        self.wait, self.lease = duration_text(wait), duration_text(lease)
        self.handlers = {}
        self._stopping = threading.Event()
        self._done = threading.Event()  # every slot ended: the heartbeats end too
        self._held = {}  # job id -> Job, for the heartbeat thread
        self._held_lock = threading.Lock()

    def handler(self, job_type):
        """Decorator: `handler(job)` runs jobs of `job_type` and returns the result."""
        def register(function):
            if job_type in self.handlers:
                raise ValueError(f"a handler for {job_type!r} is already registered")
            self.handlers[job_type] = function
            return function
        return register

    def stop(self):
        """Stops gracefully (from any thread, or a signal handler): no more claims; running jobs finish."""
        self._stopping.set()
        self.client.stop_polls()  # ends the long polls in flight

    def run(self):
        """Serves until `stop()`, SIGTERM or SIGINT; returns once every running job ended."""
        if not self.handlers:
            raise ValueError("register a handler first: @worker.handler('type')")
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, lambda *_: self.stop())
        slots = [threading.Thread(target=self._slot, name=f"quaero-slot-{n}", daemon=True) for n in range(self.concurrency)]
        beat = threading.Thread(target=self._heartbeats, name="quaero-heartbeat", daemon=True)
        for thread in slots + [beat]:
            thread.start()
        log.info("worker %s serving %s at %s", self.name, sorted(self.handlers), self.client.host)
        # Waits in steps, so that the main thread runs the signal handlers; a slot ends only when stopping.
        while not self._stopping.wait(0.5):
            if not any(thread.is_alive() for thread in slots):
                break
        for thread in slots:
            thread.join()
        self._done.set()
        beat.join()
        log.info("worker %s stopped", self.name)

    def _slot(self):
        pause = 0.1
        while not self._stopping.is_set():
            try:
                claimed = self.client.claim(sorted(self.handlers), self.name, self.limit, self.wait, self.lease)
                pause = 0.1
            except (OSError, http.client.HTTPException, QuaeroError) as error:
                if self._stopping.is_set():
                    break
                log.warning("claim failed (%s); trying again in %.1f s", error, pause)
                self._stopping.wait(pause)
                pause = min(pause * 2, 5.0)
                continue
            jobs = [Job(data, self.client) for data in claimed]
            with self._held_lock:
                self._held.update((job.id, job) for job in jobs)
            for job in jobs:
                if self._stopping.is_set():
                    self._end(job, self.client.fail, job.id, job.lease, "the worker stopped before starting it",
                              True, "0s")
                else:
                    self._run(job)

    def _run(self, job):
        try:
            result = self.handlers[job.type](job)
        except Fail as error:
            self._finish(job, self.client.fail, job.id, job.lease, str(error) or "failed", False)
        except Retry as error:
            self._finish(job, self.client.fail, job.id, job.lease, str(error), True, error.after)
        except Exception as error:  # noqa: BLE001 - any handler error is a failed attempt
            summary = "".join(traceback.format_exception_only(type(error), error)).strip()
            self._finish(job, self.client.fail, job.id, job.lease, summary, True)
        else:
            self._finish(job, self.client.complete, job.id, job.lease, result)

    def _finish(self, job, call, *arguments):
        if job.cancelled.is_set():
            log.info("job %s was cancelled; its end is not recorded", job.id)
            self._release(job)
            return
        try:
            job.flush_logs()
        except QuaeroError as error:
            log.warning("job %s: its log lines were not stored (%s)", job.id, error)
        self._end(job, call, *arguments)

    def _end(self, job, call, *arguments):
        try:
            call(*arguments)
        except LeaseLost as error:
            log.warning("job %s: lease_lost, its end was not recorded: %s", job.id, error.message)
        except (OSError, http.client.HTTPException, QuaeroError) as error:
            log.error("job %s: its end could not be recorded (%s); it comes back after its lease", job.id, error)
        finally:
            self._release(job)

    def _release(self, job):
        with self._held_lock:
            self._held.pop(job.id, None)

    def _heartbeats(self):
        interval = max(0.2, duration_seconds(self.lease) / 3)
        client = self.client
        while not self._done.wait(interval):
            with self._held_lock:
                held = list(self._held.values())
            for job in held:
                try:
                    answer = client.heartbeat(job.id, job.lease)
                    if answer.get("cancelled"):
                        job.cancelled.set()
                except LeaseLost:
                    job.lost.set()
                except QuaeroError as error:
                    if error.status == 404:
                        job.cancelled.set()  # deleted
                except (OSError, http.client.HTTPException) as error:
                    log.warning("heartbeat of job %s failed: %s", job.id, error)
