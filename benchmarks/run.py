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
and ``tests`` (the test suite's tiers, timed) run only when named. The reports' ``run``
also takes ``only`` (``--only ROW[,ROW]``), ``out`` and ``data_source``: each finished row is stored under ``<out>/report000/`` and the
page ``<out>/report000.md`` is rendered from every stored row (see
``benchmarks/_reports.py``).

The data default to the folder ``../shared/data/mnist`` when it exists, else to
``SUMDIGITS_DATA`` or Keras' cache (``load_mnist(None)``).
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import os
import time
from pathlib import Path

from benchmarks import _store

HERE = Path(__file__).resolve().parent
RESULTS = _store.RESULTS
ROW = "run"  # the one row of a benchmark without rows of its own
DEFAULT_DATA = HERE.parent.parent / "shared" / "data" / "mnist"


def available():
    """Names of the benchmarks, from the ``bench_*.py`` files."""
    return sorted(p.stem[len("bench_"):] for p in HERE.glob("bench_*.py"))


#: Benchmarks run only when named, beside the reports' reproductions: the test suite's
#: tiers (which run the suite itself).
ON_REQUEST = ("tests",)


def default_names():
    """The benchmarks run when none is named: all but the reports' reproductions and
    :data:`ON_REQUEST`."""
    return [name for name in available()
            if not name.startswith("report") and name not in ON_REQUEST]


def format_cell(value):
    """A table cell as the pages show it: floats to 4 significant digits (thousands
    separated from 10,000 on), None as blank."""
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    return "" if value is None else str(value)


def markdown_table(table):
    """One table as Markdown."""
    lines = [f"### {table['title']}", ""]
    lines.append("| " + " | ".join(table["columns"]) + " |")
    lines.append("|" + "---|" * len(table["columns"]))
    lines += ["| " + " | ".join(format_cell(v) for v in row) + " |" for row in table["rows"]]
    if table.get("notes"):
        lines += ["", table["notes"]]
    return "\n".join(lines) + "\n"


def run_benchmarks(names, data_source, *, quick=False, seed=0, out=None, only=None):
    """Run the named benchmarks; return {name: tables}.

    A benchmark with rows of its own (a report, ``addition``) stores each row and
    renders its page itself, and takes ``only``, ``out`` and ``data_source``. Any other
    benchmark is stored as one row, ``<out>/<name>/run.json`` holding its tables, and
    its page ``<out>/<name>.md`` is rendered from that row (:func:`render_page`).
    """
    from sumdigits.datasets import load_mnist

    data = load_mnist(data_source)
    results = {}
    for name in names:
        module = importlib.import_module(f"benchmarks.bench_{name}")
        print(f"== {name}: {module.__doc__.strip().splitlines()[0]}", flush=True)
        start, load_start = time.perf_counter(), os.getloadavg()[0]
        if "only" in inspect.signature(module.run).parameters:
            tables = module.run(data, quick=quick, seed=seed, only=only,
                                out=RESULTS if out is None else out, data_source=data_source)
        elif only:
            raise ValueError(f"--only names rows of a report; benchmark {name!r} has none")
        else:
            tables = module.run(data, quick=quick, seed=seed)
            where = _store.folder(out, name, quick)
            _store.write_row(where, ROW, dict(tables=tables), seed=seed, quick=quick,
                             seconds=time.perf_counter() - start, load_start=load_start,
                             data=data_source)
            render_page(where)
        results[name] = tables
        for table in tables:
            print(markdown_table(table), flush=True)
    return results


def render_page(where):
    """Render the page ``<where>.md`` of a benchmark stored as one row of tables."""
    row = _store.read_row(where, ROW)
    module = importlib.import_module(f"benchmarks.bench_{row['benchmark']}")
    lines = [f"# {module.__doc__.strip().splitlines()[0]}", "",
             f"Rendered from `{where.name}/{ROW}.json`: {_store.provenance_line(row)}.", ""]
    lines += [markdown_table(t) for t in row["tables"]]
    path = where.parent / f"{where.name}.md"
    path.write_text("\n".join(lines))
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description="Run the sumdigits benchmarks.")
    parser.add_argument("names", nargs="*",
                        help=f"benchmarks to run (default: {default_names()}; also "
                             f"{sorted(set(available()) - set(default_names()))})")
    parser.add_argument("--data", default=None,
                        help="MNIST source for load_mnist (default ../shared/data/mnist if present)")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=str(RESULTS),
                        help="the store: rows go to OUT/<benchmark>/, pages to OUT/<benchmark>.md")
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
