"""Every page re-rendered from the store of runs, and the documentation's report pages.

Usage::

    python -m benchmarks.render                 # the project's store, benchmarks/results
    python -m benchmarks.render --out STORE     # another store

re-renders, without running anything, each report's page (``report000.md`` ...) and,
once ``benchmarks/_figures.py`` is there, its figures; the addition page (and the
README's headline table when STORE is the project's store); and the page of every
plain benchmark stored as ``<name>/run.json``.

:func:`render_docs` writes the documentation's "Reproducing the reports": for each
report, every item of its module's ``ITEMS`` (its tables, figures and headline
numbers, in the report's order) with the report's figure, ours, the command that
reproduces it, where the stored row comes from and its images. An item is *covered*
when every row it names is stored and every image it names is drawn, *not run yet*
otherwise, and *with reason* when it cannot or need not be reproduced (its
``reason``). An item is ``dict(id, caption, rows, figures=[], reason=None)``.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import shutil
import tempfile
from pathlib import Path

from benchmarks import _reports, _store
from benchmarks.run import format_cell

REPORTS = ("000", "001", "002", "003", "004")
COVERED, WAITING, REASON = "covered", _reports.NOT_RUN, "with reason"
README = _store.HERE.parent / "README.md"


def report_module(report):
    """The module ``benchmarks.bench_report<report>``: its specs and ``ITEMS``."""
    return importlib.import_module(f"benchmarks.bench_report{report}")


def _render_figures(report, spec, folder):
    """The report's figures drawn by ``benchmarks._figures`` when that module exists."""
    if importlib.util.find_spec("benchmarks._figures") is None:
        return []
    from benchmarks._figures import render_figures

    return list(render_figures(report, spec, folder))


# ----------------------------------------------------------------- the store's pages
def render_reports(store):
    """Render the page (and figures) of every report stored in ``store``; return paths."""
    paths = []
    for report in REPORTS:
        module = report_module(report)
        for spec, quick in ((module.FULL, False), (module.QUICK, True)):
            folder = _store.folder(store, f"report{report}", quick)
            if not folder.is_dir():
                continue
            tables = _reports.page_tables(report, spec, folder)
            paths.append(_reports.write_page(report, spec, tables, folder, quick))
            paths += _render_figures(report, spec, folder)
    return paths


def render_addition(store):
    """Render the addition page of ``store``, and the README's headline table when
    ``store`` is the project's; return the paths written."""
    from benchmarks import bench_addition

    paths = []
    for cfg, quick in ((bench_addition.FULL, False), (bench_addition.QUICK, True)):
        folder = _store.folder(store, "addition", quick)
        if not folder.is_dir():
            continue
        stored = _store.read_rows(folder)
        tables = bench_addition.page_tables(stored, bench_addition._label(cfg))
        paths.append(bench_addition.write_page(tables, folder, quick))
        if not quick and Path(store).resolve() == _store.RESULTS.resolve():
            bench_addition.write_readme_table(stored, README)
            paths.append(README)
    return paths


def render_plain(store):
    """Render the page of every benchmark stored as one row, ``<name>/run.json``."""
    from benchmarks.run import ROW, render_page

    return [render_page(path.parent) for path in sorted(Path(store).glob(f"*/{ROW}.json"))]


def render_store(store=None):
    """Re-render every page of ``store`` (default: the project's) from its rows."""
    store = _store.RESULTS if store is None else Path(store)
    return render_reports(store) + render_addition(store) + render_plain(store)


# ------------------------------------------------------------------------ the items
def item_status(item, folder):
    """``"covered"``, ``"not run yet"`` or ``"with reason"``: the item's state in the
    report's folder of rows."""
    if item.get("reason"):
        return REASON
    stored = all(_store.read_row(folder, name) is not None for name in item["rows"])
    drawn = all((Path(folder) / name).exists() for name in item.get("figures", []))
    return COVERED if item["rows"] and stored and drawn else WAITING


def item_counts(report, store=None):
    """{status: number of items} of a report in ``store``."""
    folder = _store.folder(store, f"report{report}")
    counts = dict.fromkeys((COVERED, WAITING, REASON), 0)
    for item in report_module(report).ITEMS:
        counts[item_status(item, folder)] += 1
    return counts


def _text(value):
    """Text for a Markdown table cell."""
    return format_cell(value).replace("|", "\\|").replace("\n", " ")


def score_columns(spec, name):
    """The score columns of the row ``name``: those of the first table of the spec
    that lists it, else the spec's."""
    for table in spec["tables"].values():
        if name in table["rows"]:
            return table.get("score_columns", spec["score_columns"])
    return spec["score_columns"]


def ours(spec, name, row):
    """The stored row's scores in its table's columns, ``mean ± std`` where it has a
    spread; every score for a row of no table."""
    names = (score_columns(spec, name) if name in spec["rows"] else list(row["scores"]))
    return "; ".join(f"{s} {format_cell(_reports._score_cell(row, s))}" for s in names
                     if s in row["scores"])


def _command(report, name):
    return f"python -m benchmarks.run report{report} --only {name}"


def _row_line(report, spec, name, row):
    """The item table's line of one row: name, what, the report's figure, ours, command."""
    p = spec["rows"].get(name)
    if p is None:
        return f"| `{name}` | | | {WAITING}: not in the benchmark yet | |"
    if row is None:
        reason = p.get("not_run") or (f"needs {p['needs']}" if p.get("needs") else "")
        shown = f"{WAITING}: {_text(reason)}" if reason else WAITING
    else:
        shown = _text(ours(spec, name, row))
    return (f"| `{name}` | {_text(p['what'])} | {_text(p.get('reported'))} | {shown} | "
            f"`{_command(report, name)}` |")


def _row_details(spec, name, row):
    """Markdown under an item for a stored row: its model, training and provenance, and
    its per-class tables or classification report."""
    against = _reports.against_report(spec["rows"][name], row) if name in spec["rows"] else ""
    lines = [f"`{name}`: {row['model']}; {row['training']}. "
             f"Stored {_store.provenance_line(row)}." + (f" {against}" if against else ""), ""]
    return (lines + _reports.per_class_details(row, f"of <code>{name}</code>")
            + _reports.classification_details(row, f"of <code>{name}</code>"))


def _status_line(item, status, folder):
    if status == COVERED:
        return "**Reproduced**: every row below is stored and every image drawn."
    if status == REASON:
        return f"**{WAITING.capitalize()}**: {item['reason']}."
    missing = [f"`{name}`" for name in item["rows"] if _store.read_row(folder, name) is None]
    undrawn = [f"`{name}`" for name in item.get("figures", [])
               if not (Path(folder) / name).exists()]
    why = ([f"rows not stored: {', '.join(missing)}"] if missing else []) + (
        [f"images not drawn yet: {', '.join(undrawn)}"] if undrawn else [])
    return f"**{WAITING.capitalize()}**" + (f": {'; '.join(why)}." if why else ".")


def item_markdown(report, spec, item, folder, shown):
    """The Markdown of one item; ``shown`` (a set, updated) holds the rows and images
    already shown on the page, which later items refer to instead of repeating."""
    status = item_status(item, folder)
    caption = item["caption"][:1].upper() + item["caption"][1:]
    lines = [f"## {item['id']}", "", f"{caption}.", "", _status_line(item, status, folder), ""]
    rows = {name: _store.read_row(folder, name) for name in item["rows"]}
    if rows:
        lines += ["| row | what | report | ours | command |", "|---|---|---|---|---|"]
        lines += [_row_line(report, spec, name, row) for name, row in rows.items()]
        lines.append("")
    for name, row in rows.items():
        if row is not None and name not in shown:
            shown.add(name)
            lines += _row_details(spec, name, row)
    for image in item.get("figures", []):
        if not (Path(folder) / image).exists():
            continue
        if image in shown:
            lines += [f"`{image}`: shown above.", ""]
        else:
            shown.add(image)
            lines += [f"![{item['id']}: {image}](report{report}/{image})", ""]
    return lines


# ------------------------------------------------------------------------ the docs
def report_page(report, target, store=None):
    """Write ``target/report<report>.md``, every item of the report, and copy its
    images into ``target/report<report>/``; return the page's path."""
    module = report_module(report)
    spec, folder = module.FULL, _store.folder(store, f"report{report}")
    images = Path(target) / f"report{report}"
    images.mkdir(parents=True, exist_ok=True)
    for item in module.ITEMS:
        for image in item.get("figures", []):
            if (folder / image).exists():
                shutil.copy2(folder / image, images / image)
    lines = [f"# Report {report}", "", spec["intro"], "",
             f"Every table, figure and headline number of the report, in its order, beside "
             f"ours. A row runs with its command and is stored in "
             f"`benchmarks/results/report{report}/`; this page is rendered from the stored "
             f"rows, as is `benchmarks/results/report{report}.md`, which has every row.", ""]
    shown = set()
    for item in module.ITEMS:
        lines += item_markdown(report, spec, item, folder, shown)
    path = Path(target) / f"report{report}.md"
    path.write_text("\n".join(lines))
    return path


def addition_page(target, store=None):
    """Write ``target/addition.md``: the addition page rendered from the stored rows (its
    tables one heading level up, under the page's title)."""
    from benchmarks import bench_addition

    stored = _store.read_rows(_store.folder(store, "addition"))
    tables = bench_addition.page_tables(stored)
    with tempfile.TemporaryDirectory() as tmp:
        text = bench_addition.write_page(tables, Path(tmp) / "addition", False).read_text()
    path = Path(target) / "addition.md"
    path.write_text(text.replace("\n### ", "\n## "))
    return path


def index_page(target, store=None):
    """Write ``target/index.md``: each report's counts of items, and the toctree."""
    lines = ["# Reproducing the reports", "",
             "Each report's tables, figures and headline numbers, in the report's order, "
             "beside ours. Every figure of ours comes from a row stored in "
             "`benchmarks/results/` with the command that reproduces it: these pages are "
             "rendered from the stored rows when the documentation is built "
             "(`benchmarks/render.py`), which recomputes nothing.", "",
             f"| report | items | {COVERED} | {WAITING} | {REASON} |", "|---|---|---|---|---|"]
    for report in REPORTS:
        counts = item_counts(report, store)
        lines.append(f"| [Report {report}](report{report}.md) | {sum(counts.values())} | "
                     + " | ".join(str(counts[s]) for s in (COVERED, WAITING, REASON)) + " |")
    lines += ["", f"{COVERED}: every row of the item stored and every image drawn; {WAITING}: "
              f"some row or image missing; {REASON}: a diagram or a formula, nothing to "
              "measure.", "", "[MNIST addition of N-digit numbers](addition.md), the "
              "neurosymbolic benchmark, is rendered from its stored rows the same way.", "",
              "```{toctree}", ":hidden:", "", *(f"report{r}" for r in REPORTS), "addition",
              "```", ""]
    path = Path(target) / "index.md"
    path.write_text("\n".join(lines))
    return path


def render_docs(target, store=None):
    """Write the documentation's report pages into ``target`` from ``store`` (default:
    the project's store): ``index.md``, ``report000.md`` ... ``report004.md`` with their
    images, and ``addition.md``. Returns the pages' paths."""
    target = Path(target)
    target.mkdir(parents=True, exist_ok=True)
    pages = [report_page(report, target, store) for report in REPORTS]
    return [index_page(target, store), *pages, addition_page(target, store)]


def unrecorded(store=None):
    """Queue lines (``benchmarks.queue``) that re-run every stored row written before
    rows recorded where they come from (no ``command``), one line per benchmark."""
    store = Path(_store.RESULTS if store is None else store)
    lines = []
    for where in sorted(p for p in store.iterdir() if p.is_dir() and not p.name.endswith("-quick")):
        names = [name for name, row in _store.read_rows(where).items() if row.get("command") is None]
        if names:
            lines.append(f"{where.name} --only {','.join(names)}")
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description="Re-render every benchmark page from the "
                                                 "stored rows, without running anything.")
    parser.add_argument("--out", default=str(_store.RESULTS),
                        help="the store (default: the project's, benchmarks/results)")
    parser.add_argument("--unrecorded", action="store_true",
                        help="render nothing; print the queue lines that re-run the rows "
                             "stored before rows recorded their command, version and CPU")
    args = parser.parse_args(argv)
    if args.unrecorded:
        print("\n".join(unrecorded(args.out)))
        return
    for path in render_store(Path(args.out)):
        print(path)


if __name__ == "__main__":
    main()
