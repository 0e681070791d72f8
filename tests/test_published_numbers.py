"""Every number the hand-written pages publish is a value a stored benchmark row holds.

The store is ``benchmarks/results/<benchmark>/<row>.json``, written only by benchmark
code (``benchmarks/_store.py``). The pages rendered from it (``benchmarks/results/*.md``,
the docs' "Reproducing the reports", the README's headline table) are checked by the
tests of the renderers; this test checks the text written by hand.

Scope: the prose of

- ``README.md``, all of it but the headline table between ``README_MARKERS``;
- ``docs/results.md``;
- ``docs/guide/*.rst`` and ``docs/scaling.rst``, whole pages.

"Prose" leaves out code: fenced code blocks, inline code (`` `x` `` in Markdown,
````x```` in reStructuredText), doctest examples and their output, literal blocks
(``::``), code-like directives and their options, roles (``:ref:`...```), comments,
link targets and HTML comments. Commands and code are parameters, not results.

The numbers of that prose are all those written in digits outside an identifier
(``n1-s0``, ``float32``, ``report000`` hold none), except those that are not results:

- parameters and protocol sizes: ``N = 15``, ``k <= 4``, seeds, report, table, figure
  and section numbers, a count followed by what it counts (``80,000 pairs``, ``3
  epochs``, ``50 trials``, ``2 points``), shapes (``28 x 56``), label ranges (``0..18``),
  sizes per N (``30,000 / N``), compound adjectives (``2-core``, ``12,000-image``),
  network widths (``784-512-256-10``), exact fractions (``1/10``), powers (``10^N``),
  named parameters (``dropout 0.4``, ``batch 128``, ``a target of 1.05``), numbers in
  scientific notation (learning rates, penalties); :data:`NOT_RESULT_PATTERNS`;
- versions (``Python >= 3.10``, ``3.11.7``), licences, years (1900-2099 without a unit);
- :data:`NOT_MEASURED`: a short list of numbers, each with the words around it and why
  it is not a result.

A quoted number passes when some stored value equals it at the quoted precision, read
as it is, as a fraction quoted as a percent, or as a percent quoted as a fraction
(0.9441, 94.41, 94.4 and 94 % all match a stored 0.944062); GiB match a stored MiB
value divided by 1,024. Ratios and means computed from several stored values ("3.5x",
a mean over seeds) are not stored, so the pages link to the rendered page that shows
them instead of quoting them. A number and the unit after it are read together; in a
range or a list ("768-963 s", "9.4 / 6.3 / 5.0 s") every number takes the unit of the
last.

This is a check of values, not of provenance: it says that some row holds the number,
not that the row the sentence cites does. A small integer is in nearly every row, and
so are many three-decimal accuracies above 0.9, so those pass by chance; a number with
four significant digits, a time or a memory size that a re-run row no longer holds
fails.

Stored values: every number of every JSON file of every benchmark's folder (rows and
the ``_study`` files of searches; not the ``-quick`` folders of smoke runs), numbers
inside strings included ("0.9805 ± 0.0008" holds two), except the keys of
:data:`NOT_RESULTS` (dates, versions, commands; classification reports, per-class
scores, confusion matrices, per-epoch curves and predicted probabilities, which hold so
many values that any figure would find its match there).
"""

from __future__ import annotations

import bisect
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from benchmarks._store import RESULTS

ROOT = Path(__file__).resolve().parent.parent

#: Row keys whose values are not results, or too many to back a quoted figure:
#: provenance; classification reports, confusion matrices, per-epoch curves, the
#: predicted probabilities a figure draws.
NOT_RESULTS = frozenset({
    "time", "data", "row", "benchmark", "command", "version", "commit", "python", "cpu",
    "quick", "package_modified", "figures",
    "classification_report", "confusion_matrix", "curves", "proba",
})
#: Per-class scores ("precision 3", "F1 7"): the classification report as numbers.
PER_CLASS = re.compile(r"(?:precision|recall|F1|f1-score|support) \d+")

#: Numbers of the published prose that are not measured results: (page, the words around
#: the number as the page writes them) -> why. Keep it short: prefer rewording.
NOT_MEASURED = {
    ("docs/scaling.rst", "47 MB of digits and 24 MB of indices"):
        "arithmetic of what a Dask task carries (60,000 x 784 bytes of digits, "
        "1,000,000 x 24 bytes of indices), bounded by tests/test_scaleout.py",
    ("docs/scaling.rst", "would be 1.57 GB"):
        "arithmetic: 1,000,000 pairs x 1,568 bytes",
    ("docs/scaling.rst", "a 274 MB"):
        "the size of TensorFlow's wheel on PyPI, not a measurement of sumdigits",
}

# -- numbers of the store --------------------------------------------------------------

_STORED_NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?(?:[eE][-+]?\d+)?")


def _numbers_in(value):
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, (int, float)):
        if math.isfinite(value):
            yield float(value)
    elif isinstance(value, str):
        for match in _STORED_NUMBER.finditer(value):
            yield float(match.group().replace(",", ""))
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in NOT_RESULTS and not PER_CLASS.fullmatch(str(key)):
                yield from _numbers_in(key)  # {"2": 5}: pruned after 2 epochs
                yield from _numbers_in(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _numbers_in(item)


def stored_values(store=RESULTS):
    """Every number of every stored row under ``store``, sorted."""
    values = set()
    for folder in sorted(Path(store).iterdir()):
        if not folder.is_dir() or folder.name.endswith("-quick"):
            continue
        for path in sorted(folder.glob("*.json")):
            values.update(_numbers_in(json.loads(path.read_text())))
    return sorted(values)


# -- numbers of the text -------------------------------------------------------------

def _blank(text, spans):
    """``text`` with the characters of ``spans`` replaced by spaces (lines kept)."""
    chars = list(text)
    for start, end in spans:
        for i in range(start, end):
            if chars[i] != "\n":
                chars[i] = " "
    return "".join(chars)


def _spans(pattern, text, flags=0):
    return [m.span() for m in re.finditer(pattern, text, flags)]


def markdown_prose(text):
    """``text`` (Markdown) with its code, HTML comments and link targets blanked."""
    text = _blank(text, _spans(r"^```.*?^```", text, re.M | re.S))
    text = _blank(text, _spans(r"<!--.*?-->", text, re.S))
    text = _blank(text, _spans(r"``(?:[^`]|`(?!`))+?``|`(?:[^`\n]|\n(?!\s*\n))+`", text))
    return _blank(text, _spans(r"\]\([^)\s]*\)", text))


#: reStructuredText directives whose content is prose; the others' content is code,
#: an image or a list of pages.
_PROSE_DIRECTIVES = ("list-table", "note", "seealso", "warning", "tip", "important",
                     "admonition", "topic", "rubric")


def rst_prose(text):
    """``text`` (reStructuredText) with its code, directives' arguments and options,
    roles, comments and link targets blanked."""
    lines = text.split("\n")
    keep = [True] * len(lines)
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.lstrip()
        indent = len(line) - len(stripped)
        directive = re.match(r"\.\.\s+([\w-]+)::", stripped)
        if stripped.startswith(">>>"):  # a doctest example and its output
            while i < len(lines) and lines[i].strip():
                keep[i] = False
                i += 1
            continue
        if stripped.startswith(".. ") or line.rstrip().endswith("::"):
            prose = directive is not None and directive.group(1) in _PROSE_DIRECTIVES
            if stripped.startswith(".. "):
                keep[i] = False  # the directive, comment or target line itself
            i += 1
            while i < len(lines) and (not lines[i].strip()
                                      or len(lines[i]) - len(lines[i].lstrip()) > indent):
                if not prose or re.match(r"\s*:[\w-]+:", lines[i]):
                    keep[i] = False  # code, or a directive's option
                i += 1
            continue
        i += 1
    text = "\n".join(line if k else " " * len(line) for line, k in zip(lines, keep))
    text = _blank(text, _spans(r":[\w:-]+:`[^`]*`", text))  # roles
    text = _blank(text, _spans(r"``.+?``", text, re.S))  # inline literals
    return _blank(text, _spans(r"`[^`]*<[^>]*>`__?", text))  # links


_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_UNIT = r"\s*(%|seconds?\b|s\b|ms\b|minutes?\b|min\b|hours?\b|h\b|MiB|GiB|MB|GB|x(?!\s*\d)\b|×)"
#: The end of a number of a list of parameters: not 98 of 98.36, not 40 of "N = 15 and
#: 40 %", not 768 of "N = 1, 768-963 s".
_WHOLE = (r"(?!\d|[.,]\d)(?!" + _UNIT + r")(?!\s*(?:-|–|to|/)\s*(?:" + _NUMBER + ")"
          + _UNIT + ")")
_COUNTED = (r"pairs?|digits?|images?|pixels?|epochs?|trials?|seeds?|updates?|landmarks?|"
            r"trees?|stumps?|classes|sums|values|features?|workers?|cores?|processes|"
            r"candidates|combinations|points?|layers?|iterations?|folds?|blocks?|"
            r"kernels?|neurons?|units|rounds?|runs?|steps?|products|maxima|numbers|"
            r"positions?|labels?|networks?|rows?|columns?|pages?|files?|tasks?|heads?|"
            r"outputs?|inputs?|sizes?|dimensions?|orientations|cells|bins|threads?|"
            r"machines?|jobs?|batches|items?|bytes?")
_QUALIFIER = (r"(?:test|training|train|random|disjoint|stratified|fresh|single|digit|pair|"
              r"validation|source|vertical|horizontal|MNIST|full|more|new|held-out|"
              r"test-split|streamed|shifted|hidden|worker|Python|more|whole|extra|other|"
              r"different|N-digit|handwritten|embedded|later|first|last)")
_INTEGER = r"(?<![\d.,])(?:\d{1,3}(?:,\d{3})+|\d+)" + _WHOLE

#: Patterns of numbers that are not results; their matches are blanked, one pattern after
#: the other, before the numbers are read.
NOT_RESULT_PATTERNS = [
    r"\d+(?:\.\d+)?[eE][-+]?\d+",  # scientific notation: 6e-3
    # N = 15, k <= 4, N = 1 / 15 / 100
    r"\b[Nkd]\s*(?:=|<=|>=|<|>|≤|≥)\s*\d+(?:\s*(?:,|and|or|to|-|/)\s*\d+" + _WHOLE + ")*",
    r"\bseeds?\s+\d+(?:\s*(?:,|and|or|to|\.\.)\s*\d+" + _WHOLE + ")*",  # seeds 0, 1, 2
    r"\(\d+(?:, \d+)+\)",  # a list of seeds: (0, 1, 2)
    r"\b(?:[Rr]eports?|[Tt]ables?|[Ff]igures?|[Ss]ections?|[Tt]asks?|[Ii]tems?|"
    r"[Ss]teps?|[Ee]poch|[Ii]ssues?)\s+\d+(?:\.\d+)?(?:\s*(?:,|and|or|to|-|\.\.\.)\s*"
    r"\d+(?:\.\d+)?)*",  # report 000, table 7, section 5.1, figures 7-8
    r"\b(?:Python|scikit-learn|sumdigits|TensorFlow|Keras|BY-SA|Share Alike|version|Optuna)"
    r"\s*(?:[<>=]=?\s*)?\d+(?:\.\d+)*",  # versions, licences
    r"\d+(?:\.\d+){2,}",  # a version: 3.11.7
    r"\b\d+(?:-\d+){2,}\b",  # network widths: 784-512-256-10
    r"\b[A-Za-z]\w*\d-\d+",  # names: x86-64
    r"\b\d+\s*[x×]\s*\d+(?:\s*[x×]\s*\d+)*",  # shapes: 28 x 56, 2 x 1000
    r"\d+\.\.\d+",  # label ranges: 0..18
    r"\[\d+(?:,\s*\d+)*\]",  # intervals and widths: [0, 1], [32, 64, 128]
    r"\b(?:[Dd]ropout|momentum|strides?|batch(?:es)?(?: of)?(?: about)?|"
    r"(?:peak |learning )?rate(?: of)?|target(?: of)?|degree|depth|gamma|sigma|"
    r"perplexity|patience)\s+(?:" + _NUMBER + r")(?:\s*(?:,|and|or|instead of)\s*(?:"
    + _NUMBER + r")" + _WHOLE + r")*",  # parameters: dropout 0.4 instead of 0.25
    r"\bevery\s+(?:" + _NUMBER + r")",  # periods: every 60 seconds, every 2,000
    r"\b\d+/\d+\b",  # exact fractions: 1/10
    r"(?:" + _NUMBER + r")\s*/\s*N\b",  # sizes per N: 30,000 / N
    r"(?:" + _NUMBER + r")-(?=[A-Za-z])",  # compound adjectives: 2-core, 12,000-image
    r"\d+\s*\^\s*\(?\s*[\dN]",  # powers: 10^N
    r"\^\s*\(?\s*\d+",
    _INTEGER + r"(?:\s*(?:-|to|or|and)\s*" + _INTEGER + r")?(?:\s+" + _QUALIFIER
    + r")*\s+(?:" + _COUNTED + r")\b",  # a count of what it counts: 80,000 pairs
]

_QUOTED = re.compile(r"(?<![\w.^/])(" + _NUMBER + r")(?!(?!x\b)\w|\.\d|/)(?:" + _UNIT + r")?")
#: Between the numbers of a range or a list that share the unit of the last one: 798-959 s,
#: 0.9441 to 0.9671, 99.2 ± 0.1 %, 9.4 / 6.3 / 5.0 s.
_RANGE = re.compile(r"\s*(?:-|–|to|±|/)\s*")


@dataclass
class Quote:
    """A number of the published prose."""

    path: str
    line: int
    text: str  # as written, with its unit
    value: float
    decimals: int
    unit: str
    context: str
    span: tuple = field(default=(0, 0), repr=False, compare=False)  # in the page

    def __str__(self):
        return f"{self.path}:{self.line}: {self.text!r} in {self.context!r}"


def quoted_numbers(text, path="text", markdown=True):
    """The numbers of the prose of ``text`` that claim a result, as :class:`Quote`."""
    prose = markdown_prose(text) if markdown else rst_prose(text)
    allowed = [phrase for (page, phrase) in NOT_MEASURED if path.endswith(page)]
    prose = _blank(prose, [span for phrase in allowed for span in _spans(
        r"\s+".join(map(re.escape, phrase.split())), prose)])
    for pattern in NOT_RESULT_PATTERNS:  # in order: 6e-3 goes before "rate of 6"
        prose = _blank(prose, _spans(pattern, prose))
    quotes = []
    for match in _QUOTED.finditer(prose):
        number, unit = match.group(1), (match.group(2) or "")
        value = float(number.replace(",", ""))
        if not unit and "." not in number and 1900 <= value < 2100:
            continue  # a year
        start = match.start()
        line_start = prose.rfind("\n", 0, start) + 1
        line_end = prose.find("\n", match.end())
        line_end = len(prose) if line_end < 0 else line_end
        quotes.append(Quote(path, prose.count("\n", 0, start) + 1, match.group().strip(),
                            value, len(number.partition(".")[2]), unit,
                            text[line_start:line_end].strip(), match.span(1)))
    for first, second in reversed(list(zip(quotes, quotes[1:]))):  # the unit of the end
        if not first.unit and second.unit and _RANGE.fullmatch(
                prose[first.span[1]:second.span[0]]):
            first.unit = second.unit
    return quotes


def is_stored(quote, values):
    """Whether a stored value equals ``quote`` at its precision: as it is, as a
    percent of a stored fraction, as a fraction of a stored percent (and GiB as MiB)."""
    tolerance = 0.5 * 10 ** -quote.decimals * (1 + 1e-9) + 1e-12
    scales = (1.0, 100.0, 0.01) if quote.unit not in ("GiB",) else (1 / 1024,)
    for scale in scales:
        target = quote.value / scale  # the stored value it would come from
        width = tolerance / scale
        i = bisect.bisect_left(values, target - width)
        if i < len(values) and values[i] <= target + width:
            return True
    return False


def unbacked(quotes, values):
    """The quotes no stored value backs."""
    return [q for q in quotes if not is_stored(q, values)]


# -- the published pages ---------------------------------------------------------------

def published_pages(root=ROOT):
    """The hand-written pages in scope: {path relative to root: (text, is Markdown)}."""
    from benchmarks.bench_addition import README_MARKERS

    readme = (root / "README.md").read_text(encoding="utf-8")
    start, end = readme.index(README_MARKERS[0]), readme.index(README_MARKERS[1])
    end += len(README_MARKERS[1])
    readme = readme[:start] + "\n" * readme.count("\n", start, end) + readme[end:]
    pages = {"README.md": (readme, True),
             "docs/results.md": ((root / "docs" / "results.md").read_text(encoding="utf-8"),
                                 True)}
    for path in [*sorted((root / "docs" / "guide").glob("*.rst")),
                 root / "docs" / "scaling.rst"]:
        pages[path.relative_to(root).as_posix()] = (path.read_text(encoding="utf-8"), False)
    return pages


# -- tests ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def values():
    return stored_values(RESULTS)


@pytest.mark.parametrize("page", list(published_pages()))
def test_every_published_number_is_in_a_stored_row(page, values):
    text, markdown = published_pages()[page]
    missing = unbacked(quoted_numbers(text, page, markdown), values)
    assert not missing, (
        f"{len(missing)} number(s) of {page} that no stored row in benchmarks/results/ "
        "holds; quote the row's value, link the rendered page instead, or drop the "
        "number:\n" + "\n".join(map(str, missing)))


def test_the_pages_quote_numbers_at_all():
    """The check is not vacuous: the scope finds the pages' measured numbers."""
    counts = {page: len(quoted_numbers(text, page, md))
              for page, (text, md) in published_pages().items()}
    assert counts["docs/results.md"] >= 5, counts
    assert sum(counts.values()) >= 20, counts


def test_every_number_not_measured_is_on_its_page():
    """The allow-list names only words that its pages still hold."""
    pages = {page: text for page, (text, _) in published_pages().items()}
    for page, phrase in NOT_MEASURED:
        assert " ".join(phrase.split()) in " ".join(pages[page].split()), (page, phrase)


def _fake_store(tmp_path):
    store = tmp_path / "results"
    (store / "bench").mkdir(parents=True)
    (store / "bench" / "run.json").write_text(json.dumps({
        "tables": [{"rows": [["a", 0.9440625, "0.9805 ± 0.0008", 6090.953125]]}],
        "seconds": 284.48, "time": "2026-12-06 19:01:51", "command": "run --only n77",
        "confusion_matrix": [[4242]]}))
    (store / "bench-quick").mkdir()
    (store / "bench-quick" / "run.json").write_text(json.dumps({"seconds": 1.234}))
    return store


def test_checker_passes_stored_numbers_and_fails_others(tmp_path):
    values = stored_values(_fake_store(tmp_path))
    text = ("It reached 0.9441, that is 94.41 % or 94.4 %, in 284 s (0.9805 ± 0.0008); "
            "300,000 pairs took 5.9 GiB. It missed: 0.9512, 95.1 %, 285 s, 1.23 s, "
            "4242 s, 3.5x.\n")
    quotes = quoted_numbers(text)
    assert [q.text for q in quotes] == [
        "0.9441", "94.41 %", "94.4 %", "284 s", "0.9805", "0.0008", "5.9 GiB",
        "0.9512", "95.1 %", "285 s", "1.23 s", "4242 s", "3.5x"]
    assert [q.text for q in unbacked(quotes, values)] == [
        "0.9512", "95.1 %", "285 s", "1.23 s", "4242 s", "3.5x"]


def test_checker_skips_code_parameters_versions_and_years(tmp_path):
    values = stored_values(_fake_store(tmp_path))
    markdown = ("At N = 15, seeds 0, 1, 2, 3 epochs on 80,000 pairs of 28 x 56 images, "
                "sums 0..18, 30,000 / N pairs, a 2-core machine, report 004, table 7, "
                "widths 784-512-10, lr 6e-3, Python >= 3.10, in 2026, "
                "`fit(epochs=77)`, [page](results/n77.md):\n\n```\nprint(0.1234)\n```\n")
    assert quoted_numbers(markdown) == []
    rst = ("Text 0.9441.\n\n>>> clf.score(X, y)\n0.7777\n\n.. image:: /a/b1.png\n\n"
           "Code::\n\n   fit(0.5555)\n\n``x=0.6666`` and :ref:`page 0.3333 <x>`.\n")
    quotes = quoted_numbers(rst, markdown=False)
    assert [(q.text, q.line) for q in quotes] == [("0.9441", 1)]
    assert not unbacked(quotes, values)


def test_checker_reads_ranges_with_the_unit_of_their_end(tmp_path):
    values = stored_values(_fake_store(tmp_path))
    quotes = quoted_numbers("took 284-6091 s, and 94.41-98.05 %, 284 / 6,091 s\n")
    assert [(q.text, q.unit) for q in quotes] == [
        ("284", "s"), ("6091 s", "s"), ("94.41", "%"), ("98.05 %", "%"), ("284", "s"),
        ("6,091 s", "s")]
    assert not unbacked(quotes, values)
    assert [q.unit for q in quoted_numbers("9.4 / 6.3 / 5.0 s per epoch\n")] == ["s"] * 3


def test_checker_reads_a_share_of_a_count_as_a_result():
    quotes = quoted_numbers("0.9441 of the 16,000 test pairs, 3 epochs, 94.41 % digits\n")
    assert [q.text for q in quotes] == ["0.9441", "94.41 %"]
    quotes = quoted_numbers("at N = 1, 2 and 4, 99.28 % at N = 15 and 40 % at N = 100, "
                            "N = 1-4, N = 1, 768-963 s\n")
    assert [q.text for q in quotes] == ["99.28 %", "40 %", "768", "963 s"]
