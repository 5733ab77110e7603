#!/usr/bin/env python3
"""Run one command and report its wall time, exit code and peak memory.

    python benchmarks/peak.py --report FILE [--timeout S] [--max-memory-mb M] -- CMD [ARG...]

With --max-memory-mb, CMD's address space is capped (RLIMIT_AS), so a runaway
run fails with MemoryError instead of waking the kernel's OOM killer, which may
pick any process on a shared machine.

CMD inherits stdin, stdout, stderr, the working directory and the environment.
FILE receives one JSON object: {"seconds", "cpu_s", "exit_code", "peak_mb",
"timed_out"}; cpu_s is CMD's user + system time, its workers included (wait4
counts the children CMD waited for), and not this wrapper's own start;
exit_code is negative when CMD was killed by a signal.

Why a separate process: on Linux a child's ru_maxrss also counts the memory of
the process it was forked (or vforked) from, as it was at exec. Measured from
run.py, which holds earlier results, every child would seem at least as big as
run.py. This wrapper stays small, so the figure is CMD's own.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--report", type=Path, required=True)
    ap.add_argument("--timeout", type=float, default=None, help="kill CMD after this many seconds")
    ap.add_argument("--max-memory-mb", type=int, default=0, help="cap CMD's address space; 0: no cap")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    args = ap.parse_args(argv)
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    if not cmd:
        ap.error("no command given")
    if args.max_memory_mb:
        # Set on this process and inherited by CMD; this wrapper needs little.
        cap = args.max_memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    timed_out = threading.Event()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd)

    def kill() -> None:
        timed_out.set()
        try:
            os.kill(proc.pid, signal.SIGKILL)
        except ProcessLookupError:  # it ended just now
            pass

    killer = threading.Timer(args.timeout, kill) if args.timeout else None
    if killer:
        killer.start()
    try:
        # wait4 rather than RUSAGE_CHILDREN: the usage of exactly this child.
        _, status, usage = os.wait4(proc.pid, 0)
    finally:
        if killer:
            killer.cancel()
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, so tell Popen
    # ru_maxrss is in KiB on Linux and in bytes on macOS.
    peak_mb = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    args.report.write_text(json.dumps({
        "seconds": seconds, "cpu_s": usage.ru_utime + usage.ru_stime, "exit_code": proc.returncode,
        "peak_mb": round(peak_mb, 1), "timed_out": timed_out.is_set(),
    }) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
