"""`quaero serve` for the Python tests under Tests/: the built binary on a temporary database and a free port."""

import os
import re
import signal
import subprocess
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def quaero_binary(override: str) -> str:
    """The binary named by the environment variable `override`, or the debug build's."""
    if os.environ.get(override):
        return os.environ[override]
    bin_path = subprocess.run(["swift", "build", "--show-bin-path"], cwd=REPO, check=True,
                              capture_output=True, text=True).stdout.strip()
    binary = os.path.join(bin_path, "quaero")
    if not os.access(binary, os.X_OK):
        raise SystemExit(f"{binary} does not exist; run `swift build` first")
    return binary


def start(binary: str, work: str, **environment: str):
    """Starts `quaero serve --port 0` on a database in `work` with `environment` added; its output goes to
    work/serve.log. Returns the process, the log's path and the bound port."""
    log_path = os.path.join(work, "serve.log")
    with open(log_path, "w") as log:
        server = subprocess.Popen([binary, "--db", os.path.join(work, "quaero.db"), "serve", "--port", "0"],
                                  cwd=work, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                  env=dict(os.environ, **environment))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        match = re.search(r"listening on http://[^:\s]+:(\d+)", read_log(log_path))
        if match:
            return server, log_path, int(match.group(1))
        if server.poll() is not None:
            break
        time.sleep(0.1)
    stop(server)
    raise SystemExit("quaero serve did not log its port:\n" + read_log(log_path))


def read_log(log_path: str) -> str:
    with open(log_path, encoding="utf-8", errors="replace") as log:
        return log.read()


def stop(server) -> int:
    """SIGTERM, then the exit status (-9 when it had to be killed after 30 s)."""
    server.send_signal(signal.SIGTERM)
    try:
        return server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        return -9
