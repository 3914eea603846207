"""Cold start of `isocourse plan --format json` (goal: median ≤ 0.35 s).

Run: make bench   (or: uv run python bench/cold_start.py [--runs N])

Starts the installed console script N times as a new process (as a script would) and
reports the median and the 90th percentile of the wall time.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

COMMAND = ["plan", "--weight", "72", "--product", "us-conventional", "--mg-per-kg", "0.5",
           "--start-mg-per-kg", "0.25", "--start-days", "28", "--format", "json"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    script = Path(sys.executable).with_name("isocourse")
    subprocess.run([script, *COMMAND], check=True, capture_output=True)  # warm the disk cache
    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        subprocess.run([script, *COMMAND], check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    times.sort()
    p90 = times[int(0.9 * (len(times) - 1))]
    print(f"isocourse plan --format json, {args.runs} runs: "
          f"median {statistics.median(times):.3f} s, p90 {p90:.3f} s, min {times[0]:.3f} s")


if __name__ == "__main__":
    main()
