"""Benchmark: reading the Open Images annotations and applying a label policy, before and after
the columnar reader (issue #15, target 1).

    .venv/bin/python bench/annotations.py [--scale 0.01] [--policies seed precedence human]
        [--runs 3] [--data DIR] [--baseline REV]

Each run of each variant is a fresh subprocess that imports the package, then times
``load_targets(DIR, policy)`` followed by ``targets_matrix(df, classes-trainable codes)`` and
reports its peak resident memory above what it held after the imports (``ru_maxrss``).
Variants:

* ``before``: the code of ``--baseline`` (default: the last commit before the columnar
  reader), extracted with ``git archive`` into a temporary folder and imported from there,
  with pyarrow hidden (as it ran before pyarrow became a dependency; pandas then keeps its
  strings as Python objects);
* ``before+pa``: the same code with pyarrow importable (pandas 3 then stores strings in
  pyarrow arrays);
* ``after``: this checkout.

The input is the synthetic Open-Images-shaped data of ``bench/make_openimages_csv.py`` at
``--scale`` (generated once into the temp folder, reused while its parameters match), or
``--data DIR``. Prints per policy and variant the median time, rows/s (data rows of the three
CSVs per second), peak memory, the size of the resulting targets frame
(``memory_usage(deep=True)``) and whether the targets equal the ``before`` ones; then the
speed ratio against each baseline and a linear extrapolation to the real sizes (37,905,881
rows).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

#: the last commit before the columnar reader (the code issue #15 measured)
BASELINE = "7af6faf0edf5ecffd0b9f9dda987fd4a0dee42bf"
FILES = ("train_human_labels.csv", "train_machine_labels.csv", "train_bounding_boxes.csv")
VARIANTS = ("before", "before+pa", "after")


# ---------------------------------------------------------------------- child process
def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def child(root: str, data: str, policy: str, warm: str, mode: str, hide_pyarrow: bool) -> None:
    """Run one variant once and print one JSON line (``mode``: ``time`` or ``memory``)."""
    if hide_pyarrow:
        for name in ("pyarrow", "pyarrow.lib", "pyarrow.compute", "pyarrow.csv"):
            sys.modules[name] = None  # type: ignore[assignment]
    sys.path.insert(0, root)
    import pandas as pd

    pa = None
    if not hide_pyarrow:
        import pyarrow as pa
        import pyarrow.compute  # noqa: F401  (imported lazily by the code; not counted)
        import pyarrow.csv  # noqa: F401
    from corpora.formats.classes_trainable import read_classes_trainable
    from vision.data import load_targets, targets_matrix

    def run(folder: str) -> tuple:
        codes = read_classes_trainable(Path(folder) / "classes-trainable.csv")
        df = load_targets(folder, policy)
        return df, targets_matrix(df, codes)

    run(warm)  # one-time costs (lazy imports, thread pools) out of the measurement
    base = _rss_mb()
    pool = pa.default_memory_pool() if pa is not None else None
    sampler = _LiveSampler(pool) if mode == "memory" else None
    c0, t0 = time.process_time(), time.perf_counter()
    df, (ids, targets, mask) = run(data)
    c1, t1 = time.process_time(), time.perf_counter()
    out = {"seconds": t1 - t0, "cpu": c1 - c0}
    if sampler is not None:
        out["live_mb"] = sampler.stop() / 1e6
    out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6 - base
    csr = sum(
        m.data.nbytes + m.indices.nbytes + m.indptr.nbytes for m in (targets, mask) if m is not None
    )
    as_objects = df.astype({"ImageID": object, "LabelName": object})
    id_bytes = sys.getsizeof(ids) + sum(sys.getsizeof(i) for i in ids)
    out.update(
        frame_mb=df.memory_usage(deep=True).sum() / 1e6,
        matrix_mb=(csr + id_bytes) / 1e6,
        targets=len(df),
        images=len(ids),
        digest=int(pd.util.hash_pandas_object(as_objects, index=False).sum()),
    )
    print(json.dumps(out))


class _LiveSampler:
    """The peak of live memory: Python, numpy and pandas allocations (tracemalloc) plus
    pyarrow's memory pool, sampled together every millisecond by a thread (tracemalloc's peak
    since the previous sample, plus the pool's bytes at the sample)."""

    def __init__(self, pool: object) -> None:
        import threading

        self.pool = pool
        self.base = self._arrow()
        self.peak = 0
        self.done = threading.Event()
        tracemalloc.start()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _arrow(self) -> int:
        return self.pool.bytes_allocated() if self.pool is not None else 0  # type: ignore[attr-defined]

    def _sample(self) -> None:
        traced = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        self.peak = max(self.peak, traced + self._arrow() - self.base)

    def _run(self) -> None:
        while not self.done.wait(0.001):
            self._sample()

    def stop(self) -> int:
        self.done.set()
        self.thread.join()
        self._sample()
        tracemalloc.stop()
        return self.peak


# ---------------------------------------------------------------------- parent
def data_rows(data: Path) -> int:
    """Data rows of the three annotation CSVs (lines minus headers)."""
    total = 0
    for name in FILES:
        path = data / name
        if path.is_file():
            with open(path, "rb") as fh:
                total += (
                    sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 24), b"")) - 1
                )
    return total


def synthetic(scale: float, seed: int) -> Path:
    """The generated input for ``scale`` and ``seed`` (made once, reused while it matches)."""
    import make_openimages_csv

    out = Path(tempfile.gettempdir()) / f"labelgraph-bench-openimages-{scale:g}-{seed}"
    params = {"scale": scale, "seed": seed, "generator": _generator_version()}
    marker = out / "params.json"
    if marker.is_file() and json.loads(marker.read_text()) == params:
        return out
    print(f"generating the synthetic input at scale {scale:g} into {out} ...", flush=True)
    marker.unlink(missing_ok=True)
    make_openimages_csv.make(out, scale, seed)
    marker.write_text(json.dumps(params))
    return out


def _generator_version() -> str:
    import hashlib

    return hashlib.sha256((BENCH / "make_openimages_csv.py").read_bytes()).hexdigest()[:16]


def extract_baseline(rev: str, into: Path) -> Path:
    """``git archive REV corpora labelgraph vision`` into ``into``."""
    out = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", rev, "corpora", "labelgraph", "vision"],
        check=True,
        capture_output=True,
    ).stdout
    tar_path = into / "baseline.tar"
    tar_path.write_bytes(out)
    with tarfile.open(tar_path) as tar:
        tar.extractall(into / "src", filter="data")
    return into / "src"


def run_child(root: Path, data: Path, policy: str, warm: Path, mode: str, hide: bool) -> dict:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONPATH": str(root)}
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(root), str(data), policy]
    cmd += [str(warm), mode]
    if hide:
        cmd.append("--hide-pyarrow")
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=str(root))
    if proc.returncode != 0:
        raise SystemExit(f"variant at {root} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.01, help="fraction of the real size")
    parser.add_argument("--seed", type=int, default=0, help="generator seed")
    parser.add_argument("--data", type=Path, help="use this data folder instead")
    parser.add_argument("--policies", nargs="+", default=["seed", "precedence", "human"])
    parser.add_argument("--runs", type=int, default=3, help="runs per variant (median time)")
    parser.add_argument("--baseline", default=BASELINE, help="git revision of the 'before' code")
    parser.add_argument(
        "--variants", nargs="+", default=list(VARIANTS), choices=VARIANTS, help="what to run"
    )
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    parser.add_argument("--hide-pyarrow", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child, hide_pyarrow=args.hide_pyarrow)
        return 0

    import make_openimages_csv

    data = args.data or synthetic(args.scale, args.seed)
    rows = data_rows(data)
    real_rows = sum(make_openimages_csv.REAL[k] for k in ("human", "machine", "boxes"))
    print(
        f"data: {data} ({rows:,} annotation rows; the real files have {real_rows:,}), "
        f"policies {' '.join(args.policies)}, {args.runs} run(s) per variant, "
        f"baseline {args.baseline[:10]}, {time.strftime('%Y-%m-%d %H:%M %Z')}, "
        f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    with tempfile.TemporaryDirectory(prefix="bench-annotations-") as tmp:
        roots = {"after": REPO}
        if {"before", "before+pa"} & set(args.variants):
            root = extract_baseline(args.baseline, Path(tmp))
            roots.update({"before": root, "before+pa": root})
        warm = Path(tmp) / "warm-up"
        make_openimages_csv.make(warm, 2e-5, args.seed)
        results: dict[tuple[str, str], list[dict]] = {}
        memory: dict[tuple[str, str], dict] = {}
        for policy in args.policies:
            for run in range(args.runs + 1):  # interleaved: load changes hit every variant
                for variant in args.variants:
                    mode = "memory" if run == 0 else "time"
                    r = run_child(roots[variant], data, policy, warm, mode, variant == "before")
                    if mode == "memory":
                        memory[(policy, variant)] = r
                    else:
                        results.setdefault((policy, variant), []).append(r)
    report(results, memory, args, rows, real_rows)
    return 0


def report(
    results: dict, memory: dict, args: argparse.Namespace, rows: int, real_rows: int
) -> None:
    print(
        "\nseconds: median wall time (CPU seconds of all threads in brackets). Peak MB above the\n"
        "warmed-up process: 'live' = Python/numpy/pandas allocations (tracemalloc) + pyarrow's\n"
        "pool, sampled together every ms in a run of its own; 'RSS' = resident set (ru_maxrss,\n"
        "allocator caches included). frame MB = the targets frame load_targets returns\n"
        "(memory_usage(deep=True)); +matrix = what targets_matrix returns (CSR arrays and the\n"
        "list of image ids); live/all = live / (frame + matrix).\n"
    )
    print(
        f"{'policy':<11}{'variant':<10}{'seconds':>17}{'rows/s':>11}{'live MB':>9}{'RSS MB':>8}"
        f"{'frame MB':>9}{'+matrix':>8}{'live/frame':>11}{'live/all':>9}  same targets"
    )
    summary: dict[tuple[str, str], tuple[float, float, float, float]] = {}
    for policy in args.policies:
        reference = memory.get((policy, "before")) or memory.get((policy, "before+pa"))
        for variant in args.variants:
            runs = results[(policy, variant)]
            mem = memory[(policy, variant)]
            sec = statistics.median(r["seconds"] for r in runs)
            cpu = statistics.median(r["cpu"] for r in runs)
            rss = max(r["rss_mb"] for r in runs)
            live = mem["live_mb"]
            frame = mem["frame_mb"]
            matrix = mem["matrix_mb"]
            same = (
                "-"
                if reference is None
                else ("yes" if mem["digest"] == reference["digest"] else "NO")
            )
            summary[(policy, variant)] = (sec, cpu, live, frame)
            print(
                f"{policy:<11}{variant:<10}{sec:>8.2f} ({cpu:>6.2f}){rows / sec:>11,.0f}"
                f"{live:>9.0f}{rss:>8.0f}{frame:>9.1f}{matrix:>8.1f}{live / frame:>11.2f}"
                f"{live / (frame + matrix):>9.2f}  {same}"
            )
    if "after" in args.variants:
        print("\nspeed ratio after / before (rows per second; CPU seconds in brackets):")
        for policy in args.policies:
            after = summary[(policy, "after")]
            parts = [
                f"{summary[(policy, b)][0] / after[0]:.1f}x ({summary[(policy, b)][1] / after[1]:.1f}x)"
                f" vs {b}"
                for b in ("before", "before+pa")
                if (policy, b) in summary
            ]
            print(f"  {policy:<11}" + ", ".join(parts))
    factor = real_rows / rows
    print(f"\nlinear extrapolation to the real sizes ({real_rows:,} rows, x{factor:.0f}):")
    print(f"  {'policy':<11}{'variant':<10}{'minutes':>9}{'live GB':>9}{'targets GB':>11}")
    for (policy, variant), (sec, _, live, frame) in summary.items():
        print(
            f"  {policy:<11}{variant:<10}{sec * factor / 60:>9.1f}"
            f"{live * factor / 1e3:>9.1f}{frame * factor / 1e3:>11.1f}"
        )


if __name__ == "__main__":
    sys.exit(main())
