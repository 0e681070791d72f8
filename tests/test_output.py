"""Quiet output: no TensorFlow start-up notices, no retracing caused by sumdigits.

The processes run without ``TF_CPP_MIN_LOG_LEVEL`` (the test session sets it), as a
user's would.
"""

import logging
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sumdigits.keras._startup import drop_startup_notices

ROOT = Path(__file__).resolve().parent.parent


def _run(args, **env):
    environ = {k: v for k, v in os.environ.items()
               if k not in ("TF_CPP_MIN_LOG_LEVEL", "SUMDIGITS_DATA")}
    environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT),
                                                          environ.get("PYTHONPATH")]))
    environ.update(env)
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=environ,
                          timeout=600, check=False)


@pytest.mark.slow
def test_importing_the_keras_estimators_prints_nothing_and_changes_no_setting():
    code = ("import logging, os, sys\n"
            "levels = (logging.getLogger().level, logging.getLogger('tensorflow').level)\n"
            "from sumdigits.keras import FCNNClassifier\n"
            "assert 'tensorflow' in sys.modules\n"
            "assert (logging.getLogger().level, logging.getLogger('tensorflow').level) == levels\n"
            "print(os.environ.get('TF_CPP_MIN_LOG_LEVEL'))\n"
            "print('stderr still works', file=sys.stderr)\n")
    result = _run(["-c", code])
    assert result.returncode == 0, result.stderr
    assert result.stdout == "None\n"  # the user's environment is left as it was
    assert result.stderr == "stderr still works\n"


@pytest.mark.slow
def test_demo_prints_only_its_table():
    result = _run(["-m", "sumdigits.cli", "demo", "--data", "embedded", "--n-train", "200",
                   "--n-test", "100", "--epochs", "1",
                   "--approaches", "sequential-logreg", "sequential-cnn"])
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0].startswith("MNIST from embedded: 200 training pairs")
    assert lines[1] == "" and lines[2].startswith("approach") and set(lines[3]) == {"-"}
    assert [line.split()[0] for line in lines[4:]] == ["sequential-logreg", "sequential-cnn"]


def test_startup_notices_are_dropped_and_other_lines_kept_in_order():
    # the lines TensorFlow 2.21 prints while it loads (absl format), and its older format
    notices = [
        b"WARNING: All log messages before absl::InitializeLog() is called are written to "
        b"STDERR\n",
        b"I0000 00:00:1795462730.222843    4810 port.cc:153] oneDNN custom operations are on. "
        b"You may see slightly different numerical results due to floating-point round-off "
        b"errors from different computation orders. To turn them off, set the environment "
        b"variable `TF_ENABLE_ONEDNN_OPTS=0`.\n",
        b"2024-01-11 05:40:05.061907: I tensorflow/core/platform/cpu_feature_guard.cc:182] This "
        b"TensorFlow binary is optimized to use available CPU instructions in "
        b"performance-critical operations.\r\n",
        b"To enable the following instructions: AVX2 FMA, in other operations, rebuild "
        b"TensorFlow with the appropriate compiler flags.\n",
    ]
    others = [b"E0000 00:00:1.0 1 cuda_dnn.cc:8579] Unable to register cuDNN factory\n",
              b"oneDNN custom operations are on\n", b"no newline at the end"]
    mixed = [others[0], *notices[:2], others[1], *notices[2:], others[2]]
    assert drop_startup_notices(b"".join(mixed)) == b"".join(others)
    assert drop_startup_notices(b"") == b""


_PAIRS = ("import numpy as np\n"
          "from sumdigits import load_mnist, make_digit_pairs\n"
          "(X, y), _ = load_mnist('embedded')\n"
          "pairs = make_digit_pairs(X[:400].reshape(400, -1), y[:400], 200, "
          "strategy='disjoint', random_state=0)\n")


@pytest.mark.slow
def test_neurosymbolic_fit_and_predict_proba_print_nothing():
    """No oneDNN line on integer ops (TensorFlow logs one for an int32 transpose
    outside a graph, on CPUs without AVX-512): the digit-shift check and
    predict_proba evaluate the sum likelihood eagerly."""
    code = _PAIRS + (
        "from sumdigits.keras import NeuroSymbolicSumClassifier\n"
        "clf = NeuroSymbolicSumClassifier(filters=[2], hidden_layer_sizes=[4], epochs=1, "
        "random_state=0).fit(pairs.data, pairs.target)\n"
        "assert clf.predict_proba(pairs.data).shape == (200, 19)\n")
    _assert_runs_silently(code)


@pytest.mark.slow
def test_a_loop_of_fits_prints_no_retracing():
    """Six networks, each fitted for a few steps and scored, in one process: each one's
    train and predict functions are traced once at most, and nothing is reported."""
    code = _PAIRS + (
        "from sumdigits.keras import FCNNClassifier\n"
        "for width in (4, 8, 16, 32, 64, 128):\n"
        "    clf = FCNNClassifier(hidden_layer_sizes=[width], epochs=1, random_state=0)\n"
        "    clf.fit(pairs.data, pairs.target).score(pairs.data, pairs.target)\n")
    _assert_runs_silently(code)


def _assert_runs_silently(code):
    """``code`` runs to its end in a fresh process and prints nothing on either stream."""
    result = _run(["-c", code + "print('done')\n"])
    assert result.returncode == 0, result.stderr
    assert result.stdout == "done\n"
    assert result.stderr == ""


def test_transform_does_not_retrace(mnist_pairs):
    import keras

    from sumdigits.keras import FCNNClassifier

    train, test = mnist_pairs
    clf = FCNNClassifier(hidden_layer_sizes=[16], epochs=1, random_state=0)
    clf.fit(train.data, train.target)
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("tensorflow")
    level = logger.level
    logger.setLevel(logging.WARNING)  # TensorFlow reports retracing as a warning
    logger.addHandler(handler)
    try:
        embeddings = [clf.transform(test.data[:20]) for _ in range(8)]
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert not [r for r in records if "retracing" in r.getMessage()]
    # the embedding network is the fitted one up to its last hidden layer
    fresh = keras.Model(clf.model_.inputs, clf.model_.get_layer("embedding").output)
    expected = fresh.predict(clf.feature_encoder_.transform(test.data[:20]), verbose=0)
    assert all(np.array_equal(e, expected) for e in embeddings)
    assert expected.shape == (20, 16)
