#!/usr/bin/env python3
"""The OpenAPI document against the real server.

Starts the built `quaero serve --port 0` on a temporary database, reads the bound port from its
"listening on" log line, and runs schemathesis (every check) against /openapi.json. It fails when a
schema-valid request is rejected, a status is undocumented, a response does not match its schema, invalid
data is accepted, or the server errs. scripts/test installs the pinned schemathesis and runs this after
`swift test`; run it alone with `python3 Tests/OpenAPIConformance/schemathesis_test.py`.

The server and schemathesis run in a network namespace of their own with only loopback up: the crawls
that generated requests start must not reach any other host. Where no namespace can be made (not root and
no user namespaces), the operations that start work which fetches URLs are left out, and it says so.
"""

import fcntl
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

# The schemathesis version scripts/test installs; its behaviour (checks, generation) is what this test pins.
SCHEMATHESIS_VERSION = "4.32.5"
# Test cases per operation and phase: enough to reach each limit the document states; with 29 operations
# 73 s on the project's 2-core machines, 213 s while others build there (measured 2026-11-27).
MAX_EXAMPLES = int(os.environ.get("OPENAPI_TEST_MAX_EXAMPLES", "100"))
ISOLATED = "OPENAPI_TEST_ISOLATED"
# The server runs with a token, so that the document's bearer scheme and the 401s are checked too.
API_TOKEN = "schemathesis-token"
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main() -> int:
    check_schemathesis_version()
    if os.environ.get(ISOLATED) != "1" and reexec_isolated():
        return 1  # not reached: the process was replaced
    isolated = os.environ.get(ISOLATED) == "1"
    if isolated:
        bring_loopback_up()
    else:
        print("schemathesis_test: no network namespace could be made; leaving out the operations that start crawls")
    binary = quaero_binary()
    with tempfile.TemporaryDirectory(prefix="quaero-schemathesis-") as work:
        server, log_path = start_server(binary, work)
        try:
            port = wait_for_port(server, log_path)
            status = run_schemathesis(f"http://127.0.0.1:{port}", isolated, work)
        finally:
            stopped = stop_server(server)
        log = open(log_path, encoding="utf-8", errors="replace").read()
    failed = status != 0 or stopped != 0
    if stopped != 0:
        print(f"schemathesis_test: quaero serve exited {stopped} on SIGTERM; its log:\n{log}")
    elif status != 0:
        print(f"schemathesis_test: schemathesis exited {status}; the server's log:\n{log[-20000:]}")
    print(f"schemathesis: {0 if failed else 1} passed, {1 if failed else 0} failed")
    return 1 if failed else 0


def check_schemathesis_version() -> None:
    from importlib import metadata
    try:
        installed = metadata.version("schemathesis")
    except metadata.PackageNotFoundError:
        installed = None
    if installed != SCHEMATHESIS_VERSION:
        sys.exit(f"schemathesis_test: needs schemathesis {SCHEMATHESIS_VERSION}, found {installed or 'none'}; "
                 f"scripts/test installs it, or: python3 -m pip install schemathesis=={SCHEMATHESIS_VERSION}")


def reexec_isolated() -> bool:
    """Replaces this process with itself inside a new network namespace; False when none can be made."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return False
    options = ["--net"] if os.geteuid() == 0 else ["--user", "--map-root-user", "--net"]
    probe = subprocess.run([unshare, *options, "true"], capture_output=True)
    if probe.returncode != 0:
        return False
    os.environ[ISOLATED] = "1"
    sys.stdout.flush()
    os.execv(unshare, [unshare, *options, "--", sys.executable, os.path.abspath(__file__), *sys.argv[1:]])
    return True


def bring_loopback_up() -> None:
    """`ip link set lo up`, without needing iproute2: a new namespace starts with loopback down."""
    siocgifflags, siocsifflags, iff_up = 0x8913, 0x8914, 0x1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sH14s", b"lo", 0, bytes(14))
        flags = struct.unpack("16sH14s", fcntl.ioctl(sock, siocgifflags, request))[1]
        fcntl.ioctl(sock, siocsifflags, struct.pack("16sH14s", b"lo", flags | iff_up, bytes(14)))


def quaero_binary() -> str:
    if os.environ.get("OPENAPI_TEST_BIN"):
        return os.environ["OPENAPI_TEST_BIN"]
    bin_path = subprocess.run(["swift", "build", "--show-bin-path"], cwd=REPO, check=True,
                              capture_output=True, text=True).stdout.strip()
    binary = os.path.join(bin_path, "quaero")
    if not os.access(binary, os.X_OK):
        sys.exit(f"schemathesis_test: {binary} does not exist; run `swift build` first")
    return binary


def start_server(binary: str, work: str):
    log_path = os.path.join(work, "serve.log")
    environment = dict(os.environ, QUAERO_QUEUE_SHUTDOWN_TIMEOUT="3s", QUAERO_CRAWLER_REQUEST_TIMEOUT="2s",
                       QUAERO_SERVER_API_TOKEN=API_TOKEN)
    log = open(log_path, "w")
    server = subprocess.Popen([binary, "--db", os.path.join(work, "quaero.db"), "serve", "--port", "0"],
                              cwd=work, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=environment)
    return server, log_path


def wait_for_port(server, log_path: str) -> int:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        match = re.search(r"listening on http://[^:\s]+:(\d+)", open(log_path, encoding="utf-8", errors="replace").read())
        if match:
            return int(match.group(1))
        if server.poll() is not None:
            break
        time.sleep(0.1)
    sys.exit("schemathesis_test: quaero serve did not log its port:\n" + open(log_path).read())


def run_schemathesis(base: str, isolated: bool, work: str) -> int:
    command = [
        sys.executable, "-c", "from schemathesis.cli import schemathesis; schemathesis()",
        "--config-file", os.path.join(os.path.dirname(os.path.abspath(__file__)), "schemathesis.toml"),
        "run", f"{base}/openapi.json", "--url", base, "--header", f"Authorization: Bearer {API_TOKEN}",
        "--checks", "all", "--max-examples", str(MAX_EXAMPLES), "--seed", os.environ.get("OPENAPI_TEST_SEED", "20261127"),
        "--request-timeout", "20", "--no-color", "--generation-database", "none",
    ]
    if not isolated:
        command += ["--exclude-path", "/api/jobs", "--exclude-method", "POST"]
    # The hooks keep generated pauses from holding back the server's jobs (see schemathesis_hooks.py).
    here = os.path.dirname(os.path.abspath(__file__))
    environment = dict(os.environ, SCHEMATHESIS_HOOKS="schemathesis_hooks",
                       PYTHONPATH=os.pathsep.join(filter(None, [here, os.environ.get("PYTHONPATH")])))
    started = time.monotonic()
    status = subprocess.run(command, cwd=work, stdin=subprocess.DEVNULL, env=environment).returncode
    print(f"schemathesis_test: schemathesis took {time.monotonic() - started:.0f} s")
    return status


def stop_server(server) -> int:
    server.send_signal(signal.SIGTERM)
    try:
        return server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        return -9


if __name__ == "__main__":
    sys.exit(main())
