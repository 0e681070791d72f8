"""The package as a user meets it: a fast import, the console command, the benchmark runner."""

import subprocess
import sys

import numpy as np
import pytest

import sumdigits
from sumdigits.cli import main


def test_import_does_not_load_tensorflow():
    code = ("import sys, sumdigits; from sumdigits import make_digit_pairs, load_mnist; "
            "print('tensorflow' in sys.modules, 'keras' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_estimators_without_keras_do_not_load_tensorflow():
    code = ("import sys; from sumdigits.utils import all_estimators; "
            "names = [n for n, _ in all_estimators(keras=False)]; "
            "print('tensorflow' in sys.modules, 'keras' in sys.modules, "
            "'StepDecayPerceptron' in names, 'FCNNClassifier' in names)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "True", "False"]


def test_public_names_resolve():
    for name in ("load_mnist", "make_digit_pairs", "split_pairs", "PairSumTransformer"):
        assert callable(getattr(sumdigits, name))
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        sumdigits.Nope


def test_dir_lists_the_lazy_names():
    """Tab completion finds what attribute access loads on demand."""
    pytest.importorskip("keras")
    import sumdigits.keras

    for module in (sumdigits, sumdigits.keras):
        names = dir(module)
        assert set(module.__all__) <= set(names)
        assert names == sorted(names)
    assert "FCNNClassifier" in dir(sumdigits.keras)


def test_every_keras_estimator_is_served_by_both_packages():
    """The one table of Keras estimators names each class of sumdigits.keras' modules
    and where it is defined."""
    pytest.importorskip("keras")
    import sumdigits.keras
    from sumdigits.utils import all_estimators

    found = {name: cls.__module__ for name, cls in all_estimators()
             if cls.__module__.startswith("sumdigits.keras")}
    assert sumdigits._KERAS_ESTIMATORS == found
    for name in found:
        assert getattr(sumdigits, name) is getattr(sumdigits.keras, name)
        assert name in sumdigits.__all__ and name in sumdigits.keras.__all__


@pytest.mark.parametrize("command", [[], ["demo"], ["data"], ["tune"]])
def test_help_is_plain_text(capsys, command):
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: sumdigits")
    for markup in ("``", ":func:", ":class:", ":mod:", ":meth:"):
        assert markup not in out


def test_demo_prints_a_table_of_accuracy_and_fit_seconds(capsys):
    main(["demo", "--data", "embedded", "--n-train", "300", "--n-test", "200",
          "--approaches", "single-logreg", "sequential-logreg"])
    out = capsys.readouterr().out
    assert "300 training pairs" in out and "200 test pairs" in out
    rows = [line.split() for line in out.splitlines() if line.startswith(("single", "sequential"))]
    assert [row[0] for row in rows] == ["single-logreg", "sequential-logreg"]
    accuracies = {row[0]: float(row[3]) for row in rows}
    assert all(0.0 <= a <= 1.0 for a in accuracies.values())
    # per-digit classifiers combined by convolution beat one classifier of the whole pair
    assert accuracies["sequential-logreg"] > accuracies["single-logreg"] + 0.2


def test_demo_rejects_bad_arguments(capsys):
    with pytest.raises(SystemExit):
        main(["demo", "--n-train", "0"])
    with pytest.raises(SystemExit):
        main(["demo", "--approaches", "nope"])
    assert "invalid choice" in capsys.readouterr().err


@pytest.mark.slow
def test_benchmark_runner_stores_one_row_and_renders_the_page_from_it(tmp_path):
    from benchmarks import _store
    from benchmarks.run import available, run_benchmarks

    assert "pairs" in available()
    results = run_benchmarks(["pairs"], "embedded", quick=True, out=tmp_path)
    table = results["pairs"][0]
    assert table["columns"][0] == "method" and len(table["rows"]) == 9
    # every method timed and, in its own process, measured for memory
    assert all(row[2] > 0 for row in table["rows"])
    assert all(row[6] is not None for row in table["rows"] if "already mapped" not in row[0])
    row = _store.read_row(tmp_path / "pairs-quick", "run")
    assert row["tables"][0]["rows"] == [list(r) for r in table["rows"]]
    assert set(_store.PROVENANCE) <= set(row) and row["seconds"] > 0 and row["quick"]
    page = (tmp_path / "pairs-quick.md").read_text()
    assert "| make_digit_pairs, stratified |" in page and row["command"] in page


def test_the_pairs_benchmarks_interleave_writes_side_by_side_pairs_of_its_block():
    from benchmarks.bench_pairs import _interleave

    block = np.random.RandomState(0).randint(0, 256, (3, 2, 28, 28)).astype(np.uint8)
    out = np.empty((7, 28, 56), np.uint8)
    _interleave(out, block)
    expected = np.concatenate([block[:, 0], block[:, 1]], axis=2)[np.arange(7) % 3]
    np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("output, counts, seconds", [
    ("....\n1593 passed, 27 skipped, 17 xfailed in 213.01s (0:03:33)\n",
     "1593 passed, 27 skipped, 17 xfailed", 213.01),
    ("F.\n=== short test summary info ===\nFAILED t.py::x\n"
     "=== 1 failed, 1 passed, 2 warnings in 0.85s ===\n", "1 failed, 1 passed, 2 warnings", 0.85),
])
def test_the_tests_benchmark_reads_pytests_summary(output, counts, seconds):
    from benchmarks.bench_tests import summary

    assert summary(output) == (counts, seconds)
    with pytest.raises(ValueError, match="no pytest summary"):
        summary("Traceback (most recent call last):\n  ...\nImportError: x\n")


@pytest.mark.parametrize("package", ["sumdigits", "sumdigits.datasets", "sumdigits.keras",
                                     "sumdigits.plotting", "sumdigits.tuning", "sumdigits.utils"])
def test_public_names_are_what_a_user_calls(package):
    """Every name in a public package's ``__all__`` resolves and none is a base class."""
    import importlib

    if package == "sumdigits.keras":
        pytest.importorskip("keras")
    module = importlib.import_module(package)
    assert len(set(module.__all__)) == len(module.__all__)
    for name in module.__all__:
        assert getattr(module, name) is not None
        assert not name.startswith(("Base", "_")), f"{package}.{name}"


def test_package_data_declares_every_data_file():
    """The wheel carries every file of the package that is not Python source."""
    import fnmatch
    from pathlib import Path

    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    root = Path(sumdigits.__file__).resolve().parent
    pyproject = root.parent / "pyproject.toml"
    if not pyproject.is_file():
        pytest.skip("sumdigits is installed, not a checkout")
    declared = tomllib.loads(pyproject.read_text())["tool"]["setuptools"]["package-data"]
    data = [p for p in root.rglob("*")
            if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts]
    assert data, "the package holds no data file"
    for path in data:
        # a pattern of package-data is relative to the folder of its package
        matched = [
            pattern for package, patterns in declared.items() for pattern in patterns
            if path.is_relative_to(folder := root.parent.joinpath(*package.split(".")))
            and fnmatch.fnmatch(path.relative_to(folder).as_posix(), pattern)
        ]
        assert matched, f"{path.relative_to(root.parent)} is not declared in package-data"


def test_the_tests_benchmark_reads_pytests_slowest_durations():
    from benchmarks.bench_tests import slowest

    output = ("============ slowest 3 durations ============\n"
              "4.37s call     tests/test_a.py::test_x[sums-1]\n"
              "0.83s setup    tests/test_b.py::test_y\n"
              "(1 durations < 0.005s hidden.  Use -vv to show these durations.)\n"
              "7 passed in 13.49s\n")
    assert slowest(output) == [(4.37, "call", "tests/test_a.py::test_x[sums-1]"),
                               (0.83, "setup", "tests/test_b.py::test_y")]
