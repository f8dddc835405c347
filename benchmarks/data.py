"""Data benchmark: gdviz's streamed load + train against pyarrow's plain read, and against the row-by-row reader.

Run with `.venv/bin/python benchmarks/data.py [--rows 1000000,5000000] [--old-up-to 1000000]`. It writes CSV and
Parquet files of y = 1 + 2·x1 + 3·x2 + noise into a temporary folder, then times each side in its own subprocess
(wall time, peak resident memory from ru_maxrss) and prints the ratios. Targets: gdviz ≤ 3× pyarrow's read time,
≤ 600 MB peak at 5,000,000 rows.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TIME_TARGET = 3.0
MEMORY_TARGET_MB = 600.0


def write_files(folder: Path, rows: int) -> dict[str, Path]:
    """data.csv and data.parquet with the same rows: x1, x2 uniform in [0, 2), six decimals."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    rng = np.random.default_rng(0)
    x1, x2 = np.round(rng.uniform(0, 2, rows), 6), np.round(rng.uniform(0, 2, rows), 6)
    y = np.round(1 + 2 * x1 + 3 * x2 + 0.5 * rng.standard_normal(rows), 6)
    table = pa.table({"x1": x1, "x2": x2, "y": y})
    paths = file_paths(folder, rows)
    pacsv.write_csv(table, paths["CSV"])
    pq.write_table(table, paths["Parquet"])
    return paths


def file_paths(folder: Path, rows: int) -> dict[str, Path]:
    return {"CSV": folder / f"data-{rows}.csv", "Parquet": folder / f"data-{rows}.parquet"}


# ── The work each subprocess does ─────────────────────────────────────────────────────────────────────


def work_gdviz(path: str) -> str:
    from gdcore.datasets import load_file
    from gdcore.experiment import prepare

    experiment = prepare(load_file(path, "x1,x2", "y"))
    return f"w = {np.round(experiment.problem.closed_form, 3).tolist()}, rows kept: {experiment.dataset.rows_kept}"


def work_pyarrow(path: str) -> str:
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    table = pq.read_table(path) if path.endswith(".parquet") else pacsv.read_csv(path)
    return f"{table.num_rows:,} rows"


def work_old(path: str) -> str:
    """The reader gdviz had before streaming (commit 83bd909), its loop inline: the whole text, csv.reader row by
    row, a list of rows, then one NumPy array; then the problem from the arrays."""
    from gdcore.problem import Problem

    with open(path, encoding="utf-8-sig") as handle:
        text = handle.read()
    numbered = [(number, line) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
    reader = csv.reader(line for _, line in numbered)
    rows = [(numbered[reader.line_num - 1][0], [cell.strip() for cell in cells]) for cells in reader]
    table = np.array([[row[i] for i in (0, 1, 2)] for _, row in rows[1:]], dtype=np.float64)
    problem = Problem.from_data(table[:, :2], table[:, 2])
    return f"w = {np.round(problem.closed_form, 3).tolist()}"


WORK = {"gdviz": work_gdviz, "pyarrow": work_pyarrow, "old": work_old}


def child(side: str, path: str) -> None:
    start = time.perf_counter()
    note = WORK[side](path)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "note": note}))


def measure(side: str, path: Path, repeats: int) -> dict[str, float]:
    """The best of `repeats` runs of one side, each in a fresh subprocess (a shared machine slows some runs).

    The parent stays small: Linux carries a parent's peak RSS through fork and exec into the child's ru_maxrss,
    so the files are written by a subprocess too.
    """
    runs = []
    for _ in range(repeats):
        output = subprocess.run([sys.executable, __file__, "--child", side, str(path)], check=True,
                                capture_output=True, text=True).stdout
        runs.append(json.loads(output.strip().splitlines()[-1]))
    return min(runs, key=lambda result: result["seconds"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", default="1000000,5000000")
    parser.add_argument("--old-up-to", type=int, default=1_000_000, help="run the row-by-row reader up to this size")
    parser.add_argument("--repeats", type=int, default=3, help="best of this many runs per side")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--write", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    if args.write:
        write_files(Path(args.write[0]), int(args.write[1]))
        return
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; best of {args.repeats} runs per side")
    with tempfile.TemporaryDirectory(prefix="gdviz-bench-") as folder:
        for rows in (int(text) for text in args.rows.split(",")):
            subprocess.run([sys.executable, __file__, "--write", folder, str(rows)], check=True)
            paths = file_paths(Path(folder), rows)
            for kind, path in paths.items():
                size_mb = path.stat().st_size / 1e6
                ours, plain = measure("gdviz", path, args.repeats), measure("pyarrow", path, args.repeats)
                ratio = ours["seconds"] / plain["seconds"]
                verdict = "ok" if ratio <= TIME_TARGET and ours["peak_mb"] <= MEMORY_TARGET_MB else "MISSED"
                print(f"{kind} {rows:,} rows ({size_mb:.0f} MB): gdviz load+train {ours['seconds']:.2f} s, "
                      f"{ours['peak_mb']:.0f} MB peak vs pyarrow read {plain['seconds']:.2f} s, "
                      f"{plain['peak_mb']:.0f} MB: time ratio {ratio:.2f}x (target ≤ {TIME_TARGET:g}x, "
                      f"≤ {MEMORY_TARGET_MB:.0f} MB) {verdict} · {ours['note']}")
                if kind == "CSV" and rows <= args.old_up_to:
                    old = measure("old", path, 1)
                    print(f"    row-by-row reader (before streaming): {old['seconds']:.2f} s, {old['peak_mb']:.0f} MB "
                          f"peak: gdviz is {old['seconds'] / ours['seconds']:.1f}x faster, "
                          f"{old['peak_mb'] / ours['peak_mb']:.1f}x less memory")


if __name__ == "__main__":
    main()
