"""A worker process for the end-to-end tests: quaero_worker.Worker with one handler whose behaviour --mode
picks. Markers (files in --dir) tell the test what it did."""

import argparse
import logging
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import quaero_worker  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--type", required=True)
    parser.add_argument("--mode", required=True,
                        choices=["upper", "block", "complete", "until-cancelled", "fatal", "noop"])
    parser.add_argument("--dir", required=True)
    parser.add_argument("--name", default=None)
    parser.add_argument("--lease", default="30s")
    parser.add_argument("--wait", default="20s")
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--limit", type=int, default=1)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(message)s")
    worker = quaero_worker.Worker(args.url, name=args.name, concurrency=args.concurrency, limit=args.limit,
                                  wait=args.wait, lease=args.lease)

    def marker(kind, job):
        with open(os.path.join(args.dir, f"{kind}-{job.id}"), "w") as file:
            file.write(worker.name)

    def wait_for(condition, timeout=60):
        deadline = time.monotonic() + timeout
        while not condition() and time.monotonic() < deadline:
            time.sleep(0.02)

    @worker.handler(args.type)
    def handle(job):
        if args.mode == "noop":
            return None
        if args.mode == "upper":
            with open(os.path.join(args.dir, f"{worker.name}.ids"), "a") as file:
                file.write(job.id + "\n")
            return {"upper": job.config["text"].upper()}
        if args.mode == "fatal":
            raise quaero_worker.Fail("bad input: no text")
        marker("started", job)
        if args.mode == "block":
            wait_for(lambda: os.path.exists(os.path.join(args.dir, f"gate-{job.id}")))
        elif args.mode == "until-cancelled":
            wait_for(lambda: job.should_stop)
            marker("stopped", job)
        return {"by": worker.name}

    print(f"fixture worker {worker.name} ready", file=sys.stderr, flush=True)
    worker.run()


if __name__ == "__main__":
    main()
