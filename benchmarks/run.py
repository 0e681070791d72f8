"""Run the benchmarks and write their tables as JSON and Markdown.

Usage::

    python -m benchmarks.run                       # every benchmark, full MNIST
    python -m benchmarks.run pairs sequential      # only these
    python -m benchmarks.run --quick --data embedded   # a fast smoke run
    python -m benchmarks.run report000 --only fcnn,forest   # some rows of a report

Each benchmark is a module ``benchmarks/bench_<name>.py`` with a docstring and a
function ``run(data, *, quick=False, seed=0)`` that gets
``((X_train, y_train), (X_test, y_test))`` from :func:`sumdigits.load_mnist` and
returns a list of tables, each a dict with ``title``, ``columns``, ``rows`` (lists of
cells) and optionally ``notes``. Ours stands beside the reports' figures, measured in
the same run.

The reports' reproductions (``report000`` ... ``report004``; hours at full size)
run only when named. Their ``run`` also takes ``only`` (``--only ROW[,ROW]``), ``out``
and ``data_source``: each finished row is stored under ``<out>/report000/`` and the
page ``<out>/report000.md`` is rendered from every stored row (see
``benchmarks/_reports.py``).

The data default to the folder ``../shared/data/mnist`` when it exists, else to
``SUMDIGITS_DATA`` or Keras' cache (``load_mnist(None)``).
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parent.parent / "shared" / "data" / "mnist"


def available():
    """Names of the benchmarks, from the ``bench_*.py`` files."""
    return sorted(p.stem[len("bench_"):] for p in HERE.glob("bench_*.py"))


def default_names():
    """The benchmarks run when none is named: all but the reports' reproductions."""
    return [name for name in available() if not name.startswith("report")]


def markdown_table(table):
    """One table as Markdown."""
    def cell(v):
        if isinstance(v, float):
            return f"{v:.4g}" if abs(v) < 1e4 else f"{v:,.0f}"
        return "" if v is None else str(v)

    lines = [f"### {table['title']}", ""]
    lines.append("| " + " | ".join(table["columns"]) + " |")
    lines.append("|" + "---|" * len(table["columns"]))
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in table["rows"]]
    if table.get("notes"):
        lines += ["", table["notes"]]
    return "\n".join(lines) + "\n"


def run_benchmarks(names, data_source, *, quick=False, seed=0, out=None, only=None):
    """Run the named benchmarks; return {name: {"tables": [...], "seconds": s}}.

    ``only`` (rows of a report) goes to the benchmarks whose ``run`` takes it, with
    ``out`` and ``data_source``.
    """
    from sumdigits.datasets import load_mnist

    data = load_mnist(data_source)
    results = {}
    for name in names:
        module = importlib.import_module(f"benchmarks.bench_{name}")
        print(f"== {name}: {module.__doc__.strip().splitlines()[0]}", flush=True)
        start = time.perf_counter()
        kwargs = {}
        if "only" in inspect.signature(module.run).parameters:
            kwargs = dict(only=only, out=HERE / "results" if out is None else out,
                          data_source=data_source)
        elif only:
            raise ValueError(f"--only names rows of a report; benchmark {name!r} has none")
        tables = module.run(data, quick=quick, seed=seed, **kwargs)
        results[name] = {"tables": tables, "seconds": time.perf_counter() - start}
        for table in tables:
            print(markdown_table(table), flush=True)
        if out is not None:  # written after each benchmark, so a long run keeps what it did
            write_results(results, out, data_source=data_source, quick=quick, seed=seed)
    return results


def provenance():
    """Where a stored row comes from: the command, sumdigits' version and commit, the
    Python, the CPU and its count of cores."""
    import os
    import subprocess

    import sumdigits

    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=HERE, capture_output=True,
                                text=True, check=True).stdout.strip()
        dirty = bool(subprocess.run(["git", "status", "--porcelain", "--", "sumdigits"],
                                    cwd=HERE.parent, capture_output=True, text=True,
                                    check=True).stdout.strip())
    except (OSError, subprocess.CalledProcessError):
        commit, dirty = None, None
    cpu = platform.processor()
    try:
        cpu = next(line.split(":", 1)[1].strip()
                   for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return dict(command="python -m benchmarks.run " + " ".join(sys.argv[1:]),
                version=sumdigits.__version__, commit=commit, package_modified=dirty,
                python=sys.version.split()[0], cpu=cpu, cores=os.cpu_count())


def write_results(results, out, **meta):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    meta = {k: str(v) for k, v in meta.items()}
    meta.update(python=sys.version.split()[0], machine=platform.machine(),
                processor=platform.processor(), time=time.strftime("%Y-%m-%d %H:%M:%S"))
    (out / "results.json").write_text(json.dumps({"meta": meta, "results": results},
                                                 indent=2, default=float))
    md = ["# sumdigits benchmark results", "",
          "Run with: `python -m benchmarks.run " + " ".join(sys.argv[1:]) + "`", "",
          "; ".join(f"{k}: {v}" for k, v in meta.items()), ""]
    for name, result in results.items():
        md.append(f"## {name} ({result['seconds']:.0f} s)\n")
        md += [markdown_table(t) for t in result["tables"]]
    (out / "results.md").write_text("\n".join(md))


def main(argv=None):
    parser = argparse.ArgumentParser(description="Run the sumdigits benchmarks.")
    parser.add_argument("names", nargs="*",
                        help=f"benchmarks to run (default: {default_names()}; also "
                             f"{sorted(set(available()) - set(default_names()))})")
    parser.add_argument("--data", default=None,
                        help="MNIST source for load_mnist (default ../shared/data/mnist if present)")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=str(HERE / "results"), help="folder for results.json/.md")
    parser.add_argument("--only", default=None, type=lambda s: s.split(","),
                        help="rows of a report to run, e.g. fcnn,forest (default: all rows)")
    args = parser.parse_args(argv)
    names = args.names or default_names()
    unknown = set(names) - set(available())
    if unknown:
        parser.error(f"unknown benchmark(s) {sorted(unknown)}; available: {available()}")
    source = args.data or (str(DEFAULT_DATA) if DEFAULT_DATA.is_dir() else None)
    with_rows = all(name.startswith("report") or name == "addition" for name in names)
    if args.only and not with_rows:
        parser.error("--only selects rows of a report or of addition: name one report "
                     "(report000, ...) or addition alone")
    run_benchmarks(names, source, quick=args.quick, seed=args.seed, out=args.out, only=args.only)


if __name__ == "__main__":
    main()
