"""An example Quaero worker in Python: counts the words of a text (job type "wordcount").

    quaero serve &                                   # the API on 127.0.0.1:8080
    python3 clients/python/example_worker.py &       # serves "wordcount"
    curl -s -X POST localhost:8080/api/jobs -d '{"type": "wordcount", "config": {"text": "to be or not to be"}}'
    quaero jobs show <id>                            # result: {"words": 6, "distinct": 4, ...}
"""

import argparse
import collections
import logging

from quaero_worker import Fail, Worker


def main():
    parser = argparse.ArgumentParser(description="Run wordcount jobs from quaero serve.")
    parser.add_argument("--url", default="http://127.0.0.1:8080", help="the API of quaero serve")
    parser.add_argument("--name", default=None, help="the worker's name (default host:pid)")
    parser.add_argument("--workers", type=int, default=1, help="jobs run at once")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    worker = Worker(args.url, name=args.name, concurrency=args.workers)

    @worker.handler("wordcount")
    def wordcount(job):
        text = job.config.get("text")
        if not isinstance(text, str):
            raise Fail('config needs "text": a string')  # no retry can fix this
        words = text.lower().split()
        job.progress(completed=len(words), total=len(words), message="counted")
        counts = collections.Counter(words)
        job.log(f"{len(words)} words, {len(counts)} distinct")
        return {"words": len(words), "distinct": len(counts), "top": counts.most_common(3)}

    worker.run()  # until SIGTERM or Ctrl-C


if __name__ == "__main__":
    main()
