#!/usr/bin/env python3
"""Enqueue-then-process on huey, persist-queue, litequeue, pgqueuer and Switchboard, in one run.

Each system gets the same workload: enqueue N small JSON jobs into a new SQLite file, then take every
job off the queue with a handler that does nothing and acknowledge it. The SQLite queues are driven
through their own APIs, one job per call (none of them has a batch enqueue or a batch acknowledgement);
Switchboard through its command line: `switchboard enqueue --batch`, then one `bench worker` process.
With --postgres URL, pgqueuer (batched enqueue of 1,000 per call, then one draining QueueManager taking
jobs in its default batches of 10, and again in batches of 128, as many as Switchboard keeps in flight) and
Switchboard run the same workload on that PostgreSQL database too. Each runs at its own default
durability, printed beside its figure.

Run through peers.sh, which installs the packages into a virtualenv.
"""

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time


def run_huey(directory, jobs):
    from huey import SqliteHuey

    huey = SqliteHuey("bench", filename=os.path.join(directory, "huey.db"))

    @huey.task()
    def noop(n):
        return None

    start = time.perf_counter()
    for n in range(jobs):
        noop(n)
    while True:
        task = huey.dequeue()
        if task is None:
            break
        huey.execute(task)
    return time.perf_counter() - start


def run_persist_queue(directory, jobs):
    import persistqueue

    queue = persistqueue.SQLiteAckQueue(os.path.join(directory, "persist-queue"), auto_commit=True)
    start = time.perf_counter()
    for n in range(jobs):
        queue.put({"n": n})
    while True:
        try:
            item = queue.get(block=False)
        except persistqueue.Empty:
            break
        queue.ack(item)
    return time.perf_counter() - start


def run_litequeue(directory, jobs):
    from litequeue import LiteQueue

    queue = LiteQueue(os.path.join(directory, "litequeue.db"))
    start = time.perf_counter()
    for n in range(jobs):
        queue.put(json.dumps({"n": n}))
    while True:
        message = queue.pop()
        if message is None:
            break
        queue.done(message.message_id)
    return time.perf_counter() - start


def run_pgqueuer(url, batch_size):
    def run(directory, jobs):
        import asyncpg
        from datetime import timedelta
        from pgqueuer import AsyncpgDriver, Queries, QueueManager
        from pgqueuer.types import QueueExecutionMode

        async def main():
            connection = await asyncpg.connect(url)
            driver = AsyncpgDriver(connection)
            queries = Queries(driver)
            if await queries.schema_is_installed():
                await queries.uninstall()
            await queries.install()
            manager = QueueManager(queries)

            @manager.entrypoint("noop")
            async def noop(job):
                return None

            start = time.perf_counter()
            for first in range(0, jobs, 1000):
                count = min(1000, jobs - first)
                await queries.enqueue(["noop"] * count, [json.dumps({"n": n}).encode() for n in range(count)], [0] * count)
            await manager.run(batch_size=batch_size, mode=QueueExecutionMode.drain, dequeue_timeout=timedelta(seconds=1))
            elapsed = time.perf_counter() - start
            await queries.uninstall()
            await connection.close()
            return elapsed

        return asyncio.run(main())

    return run


def run_switchboard(binary, durability, database=None):
    def run(directory, jobs):
        target = database or os.path.join(directory, f"switchboard-{durability}.db")
        lines = "".join(json.dumps({"kind": "noop", "payload": {"n": n}}) + "\n" for n in range(jobs))
        common = ["--durability", durability]
        environment = dict(os.environ, SWITCHBOARD_DB=target)
        start = time.perf_counter()
        subprocess.run(
            [binary, "enqueue", "--batch", "--queue", "bench", *common],
            input=lines.encode(), stdout=subprocess.DEVNULL, check=True, env=environment,
        )
        worker = subprocess.run(
            [binary, "bench", "worker", "--drain", "--concurrency", "128", *common],
            input=b"go\n", capture_output=True, check=True, env=environment,
        )
        elapsed = time.perf_counter() - start
        processed = json.loads(worker.stdout.decode().splitlines()[-1])["processed"]
        if processed != jobs:
            raise RuntimeError(f"switchboard processed {processed} of {jobs} jobs")
        return elapsed

    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--switchboard", required=True, help="path to the switchboard executable")
    parser.add_argument("--jobs", type=int, default=20000, help="jobs per system (default 20000)")
    parser.add_argument(
        "--postgres", metavar="URL",
        help="also run pgqueuer and Switchboard on this PostgreSQL database (it must hold no Switchboard schema)")
    arguments = parser.parse_args()

    systems = [
        ("huey (SqliteHuey)", "WAL, synchronous=FULL (SQLite default)", run_huey),
        ("persist-queue (SQLiteAckQueue)", "rollback journal, synchronous=FULL", run_persist_queue),
        ("litequeue", "WAL, synchronous=NORMAL", run_litequeue),
        ("switchboard --durability full", "WAL, synchronous=FULL", run_switchboard(arguments.switchboard, "full")),
        ("switchboard --durability normal", "WAL, synchronous=NORMAL", run_switchboard(arguments.switchboard, "normal")),
    ]
    if arguments.postgres:
        systems += [
            ("pgqueuer, default batch of 10", "synchronous_commit as the server sets it", run_pgqueuer(arguments.postgres, 10)),
            ("pgqueuer, batch of 128", "synchronous_commit as the server sets it", run_pgqueuer(arguments.postgres, 128)),
            (
                "switchboard on PostgreSQL, --durability full", "synchronous_commit as the server sets it",
                run_switchboard(arguments.switchboard, "full", arguments.postgres),
            ),
        ]
    results = []
    with tempfile.TemporaryDirectory(prefix="switchboard-peers-") as directory:
        for name, durability, run in systems:
            print(f"peers: {name}...", file=sys.stderr)
            results.append((name, durability, arguments.jobs / run(directory, arguments.jobs)))

    with open("/proc/cpuinfo") as cpuinfo:
        model = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "?")
    print(f"enqueue-then-process of {arguments.jobs} jobs; {model}, {os.cpu_count()} cores")
    switchboard_full = results[3][2]
    width = max(len(name) for name, _, _ in results) + 2
    print(f"{'system':<{width}}{'jobs/s':>10}  {'switchboard full / it':>22}  durability")
    for name, durability, rate in results:
        print(f"{name:<{width}}{rate:>10,.0f}  {switchboard_full / rate:>21.1f}x  {durability}")


if __name__ == "__main__":
    main()
