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

import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "support"))
import loopback  # noqa: E402
import serve  # noqa: E402

# The schemathesis version scripts/test installs; its behaviour (checks, generation) is what this test pins.
SCHEMATHESIS_VERSION = "4.32.5"
# Test cases per operation and phase: enough to reach each limit the document states; with 29 operations
# 73 s on the project's 2-core machines, 213 s while others build there (measured 2026-11-27).
MAX_EXAMPLES = int(os.environ.get("OPENAPI_TEST_MAX_EXAMPLES", "100"))
# The server runs with a token, so that the document's bearer scheme and the 401s are checked too.
API_TOKEN = "schemathesis-token"


def main() -> int:
    check_schemathesis_version()
    isolated = loopback.isolate(__file__)
    if not isolated:
        print("schemathesis_test: no network namespace could be made; leaving out the operations that start crawls")
    binary = serve.quaero_binary("OPENAPI_TEST_BIN")
    with tempfile.TemporaryDirectory(prefix="quaero-schemathesis-") as work:
        server, log_path, port = serve.start(binary, work, QUAERO_QUEUE_SHUTDOWN_TIMEOUT="3s",
                                             QUAERO_CRAWLER_REQUEST_TIMEOUT="2s", QUAERO_SERVER_API_TOKEN=API_TOKEN)
        try:
            status = run_schemathesis(f"http://127.0.0.1:{port}", isolated, work)
        finally:
            stopped = serve.stop(server)
        log = serve.read_log(log_path)
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


if __name__ == "__main__":
    sys.exit(main())
