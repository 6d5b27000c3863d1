"""Runs a test script inside a network namespace of its own with only loopback up, so that nothing it starts
(a crawl, a browser) can reach any host but this one. Shared by the Python tests under Tests/."""

import fcntl
import os
import shutil
import socket
import struct
import subprocess
import sys

ISOLATED = "TEST_LOOPBACK_ONLY"  # not QUAERO_: quaero refuses unknown QUAERO_ variables


def isolate(script: str) -> bool:
    """Replaces this process with `script` (the caller's file) inside a new network namespace and brings its
    loopback up there. Returns True when running isolated, False when no namespace can be made (not root and
    no user namespaces); never returns from the first call when it can."""
    if os.environ.get(ISOLATED) == "1":
        bring_loopback_up()
        return True
    unshare = shutil.which("unshare")
    if unshare is None:
        return False
    options = ["--net"] if os.geteuid() == 0 else ["--user", "--map-root-user", "--net"]
    if subprocess.run([unshare, *options, "true"], capture_output=True).returncode != 0:
        return False
    os.environ[ISOLATED] = "1"
    sys.stdout.flush()
    os.execv(unshare, [unshare, *options, "--", sys.executable, os.path.abspath(script), *sys.argv[1:]])
    return True  # not reached: the process was replaced


def bring_loopback_up() -> None:
    """`ip link set lo up`, without needing iproute2: a new namespace starts with loopback down."""
    siocgifflags, siocsifflags, iff_up = 0x8913, 0x8914, 0x1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sH14s", b"lo", 0, bytes(14))
        flags = struct.unpack("16sH14s", fcntl.ioctl(sock, siocgifflags, request))[1]
        fcntl.ioctl(sock, siocsifflags, struct.pack("16sH14s", b"lo", flags | iff_up, bytes(14)))
