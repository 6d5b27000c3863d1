"""The worker protocol end to end: the real `quaero serve` and the reference Python worker, over HTTP.

Run by scripts/test with the system python3 and no site packages (`python3 -S`: the standard library only):
    QUAERO_BIN=.build/debug/quaero python3 -S -m unittest discover -s clients/python/tests -v
"""

import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import quaero_worker  # noqa: E402
from quaero_worker import Client, LeaseLost, QuaeroError  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))


def quaero_binary():
    if os.environ.get("QUAERO_BIN"):
        return os.environ["QUAERO_BIN"]
    path = subprocess.run(["swift", "build", "--show-bin-path"], cwd=REPO, check=True, capture_output=True,
                          text=True).stdout.strip()
    return os.path.join(path, "quaero")


def wait_until(condition, timeout=20.0, every=0.02):
    """Polls `condition` until it holds or `timeout` passes; returns whether it held."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return bool(condition())


def thread_stacks(pid):
    """Where the threads of a hung process stand (gdb's backtraces), so that a hang on CI can be explained:
    threads blocked in a lock or a system call show there; threads all parked in the concurrency runtime's
    wait mean tasks waiting on each other."""
    gdb = shutil.which("gdb")
    if gdb is None:
        return "(no gdb on this machine: the threads' stacks are not shown)"
    try:
        result = subprocess.run([gdb, "-p", str(pid), "-batch", "-nx", "-ex", "thread apply all bt 30"],
                                capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        return "(gdb did not answer within 120 s)"
    lines = [line for line in result.stdout.splitlines() if line.startswith(("Thread ", "#"))]
    return "threads of the hung process:\n" + "\n".join(lines)[-40000:]


class Child:
    """A child process whose output goes to a log file."""

    def __init__(self, command, log_path, cwd=None, env=None):
        self.log_path = log_path
        with open(log_path, "w") as log:
            self.process = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                            stderr=subprocess.STDOUT)

    def log(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as file:
            return file.read()

    def signal(self, signum):
        self.process.send_signal(signum)

    def stop(self):
        """SIGTERM, then its exit status (SIGKILL after 20 s, once its threads' stacks are in `self.stacks`)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.stacks = thread_stacks(self.process.pid)
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def hang_report(self):
        """The end of its log, then where its threads stood when it would not stop (for a failure message)."""
        return self.log()[-5000:] + "\n" + getattr(self, "stacks", "")


class Server(Child):
    """`quaero serve --port 0` on a database of its own, in a folder of its own."""

    def __init__(self, folder, **environment):
        self.folder = folder
        self.database = os.path.join(folder, "quaero.db")
        self.env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", folder),
                    "QUAERO_QUEUE_SHUTDOWN_TIMEOUT": "3s", **environment}
        super().__init__([quaero_binary(), "--db", self.database, "serve", "--port", "0"],
                         os.path.join(folder, "serve.log"), cwd=folder, env=self.env)
        port = None

        def listening():
            nonlocal port
            match = re.search(r"listening on http://[^:\s]+:(\d+)", self.log())
            port = match and int(match.group(1))
            return port is not None or self.process.poll() is not None
        wait_until(listening, timeout=30)
        if port is None:
            raise RuntimeError("quaero serve did not start:\n" + self.log())
        self.url = f"http://127.0.0.1:{port}"

    def quaero(self, *arguments):
        """Runs the CLI on the server's database."""
        return subprocess.run([quaero_binary(), "--db", self.database, *arguments], cwd=self.folder, env=self.env,
                              capture_output=True, text=True, timeout=60)


class WorkerProcess(Child):
    """tests/fixture_worker.py in a child process, run by this python3 without site packages."""

    def __init__(self, server, folder, job_type, mode, **options):
        command = [sys.executable, "-S", os.path.join(HERE, "fixture_worker.py"), "--url", server.url,
                   "--type", job_type, "--mode", mode, "--dir", folder]
        for key, value in options.items():
            command += [f"--{key}", str(value)]
        super().__init__(command, os.path.join(folder, f"worker-{job_type}-{mode}-{time.monotonic_ns()}.log"))


class WorkerProtocolTests(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix="quaero-workers-")
        self.server = Server(self.folder)
        self.client = Client(self.server.url)
        self.workers = []

    def tearDown(self):
        for worker in self.workers:
            worker.signal(signal.SIGCONT)
            worker.stop()
        self.client.close()
        code = self.server.stop()
        self.assertEqual(code, 0, "quaero serve did not stop cleanly:\n" + self.server.hang_report())
        shutil.rmtree(self.folder, ignore_errors=True)

    def start_worker(self, job_type, mode, **options):
        worker = WorkerProcess(self.server, self.folder, job_type, mode, **options)
        self.workers.append(worker)
        return worker

    def announce(self, job_type):
        """Claims nothing, so that POST /api/jobs accepts the type (a live worker serves it)."""
        self.assertEqual(self.client.claim([job_type], "announcer", limit=1, wait="0s", lease="1s"), [])

    def marker(self, kind, job_id):
        return os.path.join(self.folder, f"{kind}-{job_id}")

    def test_thousand_jobs_each_completed_exactly_once(self):
        self.start_worker("upper", "upper", name="py-a", concurrency=2, limit=10)
        self.start_worker("upper", "upper", name="py-b", concurrency=2, limit=10)
        self.announce("upper")
        texts = {}
        for n in range(1000):
            job = self.client.submit("upper", {"text": f"job number {n}"})
            self.assertEqual(job["status"], "pending")
            texts[job["id"]] = f"job number {n}"

        def completed():
            return len(self.client.request("GET", "/api/jobs?type=upper&status=completed&limit=1000")) == 1000
        self.assertTrue(wait_until(completed, timeout=120), "not every job completed")
        jobs = self.client.request("GET", "/api/jobs?type=upper&limit=1000")
        self.assertEqual({job["id"] for job in jobs}, set(texts))
        for job in jobs:
            self.assertEqual(job["result"], {"upper": texts[job["id"]].upper()})
            self.assertEqual(job["attempts"], 1)
            self.assertIn(job["worker"], ("py-a", "py-b"))
        runs = []
        for name in ("py-a", "py-b"):
            with open(os.path.join(self.folder, f"{name}.ids")) as file:
                runs += file.read().split()
        self.assertEqual(len(runs), 1000, "each job ran exactly once")
        self.assertEqual(set(runs), set(texts))
        shown = self.server.quaero("jobs", "show", jobs[0]["id"])
        self.assertEqual(shown.returncode, 0, shown.stderr)
        self.assertRegex(shown.stdout, r"worker:\s+py-[ab]")

    def test_killed_worker_job_comes_back_after_its_lease_and_completes_once(self):
        doomed = self.start_worker("slow", "block", name="doomed", lease="2s")
        self.announce("slow")
        job = self.client.submit("slow", {})
        self.assertTrue(wait_until(lambda: os.path.exists(self.marker("started", job["id"]))), doomed.log())
        doomed.signal(signal.SIGKILL)
        doomed.process.wait()
        open(self.marker("gate", job["id"]), "w").close()  # the next run does not block
        self.start_worker("slow", "block", name="rescuer")
        self.assertTrue(wait_until(lambda: self.client.job(job["id"])["status"] == "completed", timeout=30))
        done = self.client.job(job["id"])
        self.assertEqual(done["result"], {"by": "rescuer"})
        self.assertEqual(done["attempts"], 2)
        self.assertEqual(done["worker"], "rescuer")

    def test_stopped_worker_past_its_lease_gets_lease_lost_and_the_result_is_the_others(self):
        sleeper = self.start_worker("nap", "block", name="sleeper", lease="1s")
        self.announce("nap")
        job = self.client.submit("nap", {})
        self.assertTrue(wait_until(lambda: os.path.exists(self.marker("started", job["id"]))), sleeper.log())
        sleeper.signal(signal.SIGSTOP)  # no heartbeat from now on
        os.remove(self.marker("started", job["id"]))
        self.start_worker("nap", "complete", name="other")
        self.assertTrue(wait_until(lambda: self.client.job(job["id"])["status"] == "completed", timeout=30))
        self.assertEqual(self.client.job(job["id"])["result"], {"by": "other"})
        open(self.marker("gate", job["id"]), "w").close()
        sleeper.signal(signal.SIGCONT)
        self.assertTrue(wait_until(lambda: "lease_lost" in sleeper.log(), timeout=20), sleeper.log())
        done = self.client.job(job["id"])
        self.assertEqual(done["result"], {"by": "other"})
        self.assertEqual(done["worker"], "other")

    def test_cancel_reaches_the_worker_at_its_next_heartbeat(self):
        worker = self.start_worker("long", "until-cancelled", name="patient", lease="3s")
        self.announce("long")
        job = self.client.submit("long", {})
        self.assertTrue(wait_until(lambda: os.path.exists(self.marker("started", job["id"]))), worker.log())
        cancelled_at = time.monotonic()
        self.client.request("POST", f"/api/jobs/{job['id']}/cancel")
        self.assertTrue(wait_until(lambda: os.path.exists(self.marker("stopped", job["id"])), timeout=10), worker.log())
        # Heartbeats come every third of the 3 s lease.
        self.assertLess(time.monotonic() - cancelled_at, 2.5)
        self.assertEqual(self.client.job(job["id"])["status"], "cancelled")
        self.assertTrue(wait_until(lambda: "was cancelled" in worker.log(), timeout=5), worker.log())

    def test_fail_without_retry_fails_the_job_at_once(self):
        self.start_worker("doomed", "fatal", name="strict")
        self.announce("doomed")
        job = self.client.submit("doomed", {})
        self.assertTrue(wait_until(lambda: self.client.job(job["id"])["status"] == "failed"))
        failed = self.client.job(job["id"])
        self.assertEqual(failed["attempts"], 1)
        self.assertEqual(failed["error"], "bad input: no text")
        dead = self.client.request("GET", "/api/queue/dead")
        self.assertEqual([letter["error"] for letter in dead], ["bad input: no text"])

    def test_long_poll_wakes_within_50_ms_of_a_submit(self):
        self.announce("ping")
        latencies = []
        for _ in range(7):
            answer = {}

            def poll():
                client = Client(self.server.url)
                answer["jobs"] = client.claim(["ping"], "poller", wait="10s")
                answer["at"] = time.monotonic()
                client.close()
            thread = threading.Thread(target=poll)
            thread.start()
            time.sleep(0.2)  # let the claim reach its wait; were it still on its way, the figure would only be smaller
            submitted = time.monotonic()
            job = self.client.submit("ping", {})
            thread.join(timeout=15)
            self.assertEqual([claimed["id"] for claimed in answer["jobs"]], [job["id"]])
            latencies.append((answer["at"] - submitted) * 1000)
        print(f"\nsubmit -> claim answer (ms): {', '.join(f'{ms:.1f}' for ms in latencies)}", file=sys.stderr)
        self.assertLessEqual(statistics.median(latencies), 50)

    def test_sigterm_finishes_the_running_job_then_stops(self):
        worker = self.start_worker("task", "block", name="graceful")
        self.announce("task")
        job = self.client.submit("task", {})
        self.assertTrue(wait_until(lambda: os.path.exists(self.marker("started", job["id"]))), worker.log())
        worker.signal(signal.SIGTERM)
        time.sleep(0.3)  # the scenario: SIGTERM while the job runs; the worker must still be running
        self.assertIsNone(worker.process.poll(), "the worker left its running job")
        open(self.marker("gate", job["id"]), "w").close()
        self.assertEqual(worker.process.wait(timeout=20), 0, worker.log())
        self.assertEqual(self.client.job(job["id"])["status"], "completed")

    def test_example_worker_counts_words(self):
        example = subprocess.Popen([sys.executable, "-S", os.path.join(os.path.dirname(HERE), "example_worker.py"),
                                    "--url", self.server.url, "--name", "example"],
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            job = None

            def accepted():
                nonlocal job
                try:
                    job = self.client.submit("wordcount", {"text": "to be or not to be"})
                except QuaeroError as error:
                    self.assertEqual(error.code, "unknown_job_type")  # until the example's first claim
                return job is not None
            self.assertTrue(wait_until(accepted))
            self.assertTrue(wait_until(lambda: self.client.job(job["id"])["status"] == "completed"))
            result = self.client.job(job["id"])["result"]
            self.assertEqual((result["words"], result["distinct"]), (6, 4))
        finally:
            example.send_signal(signal.SIGTERM)
            self.assertEqual(example.wait(timeout=20), 0)

    def test_bad_input_answers_clear_errors(self):
        self.announce("thing")
        job = self.client.submit("thing", {})
        leased = self.client.claim(["thing"], "careful", lease="30s")
        lease = leased[0]["lease"]
        other = "q1-" + "0" * 40
        cases = [
            ("/api/jobs/0000000000000000000000000z/heartbeat", {"lease": lease}, 404, "not_found"),
            (f"/api/jobs/{job['id']}/complete", {"lease": "not-a-token"}, 422, "invalid_lease"),
            (f"/api/jobs/{job['id']}/complete", {"lease": other}, 409, "lease_lost"),
            ("/api/jobs/claim", {"types": ["thing"], "worker": "w", "limit": -3}, 422, "invalid_body"),
            ("/api/jobs/claim", {"types": ["thing"], "worker": "w", "wait": "2m"}, 422, "invalid_body"),
        ]
        for path, body, status, code in cases:
            with self.assertRaises(QuaeroError) as raised:
                self.client.request("POST", path, body)
            self.assertEqual((raised.exception.status, raised.exception.code), (status, code), raised.exception.message)
            self.assertTrue(raised.exception.message)
        request = urllib.request.Request(self.server.url + "/api/jobs/claim", data=b'{"types": [', method="POST",
                                         headers={"Content-Type": "application/json"})
        with self.assertRaises(urllib.error.HTTPError) as raised:
            urllib.request.urlopen(request, timeout=10)
        self.assertEqual(raised.exception.code, 400)
        self.assertEqual(json.loads(raised.exception.read())["error"]["code"], "malformed_json")
        with self.assertRaises(LeaseLost):
            self.client.complete(job["id"], other, 1)
        self.assertEqual(self.client.job(job["id"])["status"], "running", "nothing changed")

    def test_server_shutdown_ends_waiting_long_polls(self):
        answer = {}

        def poll():
            client = Client(self.server.url)
            try:
                answer["jobs"] = client.claim(["idle"], "waiter", wait="60s")
            except Exception as error:  # noqa: BLE001 - the connection may close instead
                answer["error"] = error
            client.close()
        thread = threading.Thread(target=poll)
        thread.start()
        time.sleep(0.3)  # the scenario: a claim waiting when the server is told to stop
        stopping = time.monotonic()
        self.assertEqual(self.server.stop(), 0, self.server.hang_report())
        thread.join(timeout=10)
        self.assertFalse(thread.is_alive())
        self.assertLess(time.monotonic() - stopping, 8)
        self.assertEqual(answer.get("jobs", []), [])


if __name__ == "__main__":
    unittest.main()
