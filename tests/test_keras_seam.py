"""The Keras estimators rest on public APIs, take their parameters from one source,
seed without global state, and schedule the learning rate over the steps Keras runs."""

import inspect
import pathlib
import random
import re

import numpy as np
import pytest

keras = pytest.importorskip("keras")

import sumdigits  # noqa: E402
from sumdigits import load_mnist  # noqa: E402
from sumdigits.keras import (  # noqa: E402
    CNNClassifier,
    FCNNClassifier,
    NeuroSymbolicFunctionClassifier,
    NeuroSymbolicSumClassifier,
)
from sumdigits.keras._base import BaseKerasClassifier  # noqa: E402
from sumdigits.keras._params import BASE_PARAMS  # noqa: E402
from sumdigits.keras.callbacks import make_learning_rate_schedule  # noqa: E402

from _estimators import keras_estimators  # noqa: E402

PACKAGE = pathlib.Path(sumdigits.__file__).parent
ESTIMATORS = [cls for _, cls in keras_estimators()]


@pytest.fixture(scope="module")
def digits():
    (X, y), (X_test, _) = load_mnist("embedded")
    return X[:300], y[:300], X_test[:50]


# -- public API only ----------------------------------------------------------------------

def _scikeras_private_names():
    """Every private method and attribute name scikeras defines or sets, from its source."""
    import scikeras

    names = set()
    for path in pathlib.Path(scikeras.__file__).parent.rglob("*.py"):
        text = path.read_text()
        names |= set(re.findall(r"def (_[A-Za-z]\w*)", text))
        names |= set(re.findall(r"self\.(_[A-Za-z]\w*)", text))
        names |= set(re.findall(r"^    (_[A-Za-z]\w*)\s*[:=]", text, re.M))
    # the documented extension point, and scikit-learn's own tag attribute
    return names - {"_keras_build_fn", "_estimator_type"}


def _package_lines():
    for path in sorted(PACKAGE.rglob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            yield f"{path.relative_to(PACKAGE.parent)}:{number}", line


def test_no_private_module_of_scikeras_or_tensorflow():
    pattern = re.compile(r"scikeras\._|scikeras\._utils|tensorflow\.python|from scikeras import _")
    found = [f"{where}: {line.strip()}" for where, line in _package_lines()
             if pattern.search(line)]
    assert not found, "\n".join(found)


def test_no_private_attribute_or_method_of_scikeras_is_read_written_or_overridden():
    names = _scikeras_private_names()
    assert {"_fit_keras_model", "_validate_data", "_random_state", "_predict_raw"} <= names
    pattern = re.compile(r"(?:\.|\bdef |^\s+)(%s)\b" % "|".join(sorted(names)))
    found = [f"{where}: {line.strip()}" for where, line in _package_lines()
             if pattern.search(line)]
    assert not found, "\n".join(found)
    for cls in ESTIMATORS:  # nor inherited through a class of ours
        for klass in cls.__mro__:
            if klass.__module__.startswith("sumdigits"):
                assert not names & set(vars(klass)), klass


# -- parameters from one source -----------------------------------------------------------

# where a subclass differs from the base parameters, on purpose
_NEUROSYMBOLIC = {"learning_rate": "one-cycle", "learning_rate_init": 3e-3, "loss": None,
                  "batch_size": "auto", "epochs": 4}
CHANGED_DEFAULTS = {NeuroSymbolicSumClassifier: _NEUROSYMBOLIC,
                    NeuroSymbolicFunctionClassifier: _NEUROSYMBOLIC}
# they have digit_shape instead
EXCLUDED = {NeuroSymbolicSumClassifier: {"image_shape"},
            NeuroSymbolicFunctionClassifier: {"image_shape"}}


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_signature_constraints_and_docs_come_from_the_base_parameters(cls):
    signature = inspect.signature(cls)
    declared = {p.name: p for p in cls._params}
    params = [p for p in signature.parameters.values() if p.kind is p.KEYWORD_ONLY]
    assert [p.name for p in params] == list(declared)
    assert all(p.default is declared[p.name].default for p in params)
    assert set(cls._parameter_constraints) == set(declared)
    defaults = cls().get_params()
    for base in BASE_PARAMS:
        if base.name in EXCLUDED.get(cls, ()):
            assert base.name not in declared
            continue
        expected = CHANGED_DEFAULTS.get(cls, {}).get(base.name, base.default)
        assert defaults[base.name] == expected, (cls.__name__, base.name)
        assert f"    {base.name} : " in cls.__doc__
    for name in declared:  # each parameter documented once
        assert cls.__doc__.count(f"\n    {name} : ") == 1, name


def test_learning_rate_names_a_schedule_and_learning_rate_init_the_rate():
    with pytest.raises(ValueError, match=r"'learning_rate' parameter of CNNClassifier must be "
                                         r"a str among .*Got 0\.003 instead"):
        CNNClassifier(learning_rate=3e-3).fit(np.zeros((4, 784)), np.arange(4))


def test_unknown_parameter_still_raises():
    with pytest.raises(ValueError, match="Did you mean 'hidden_layer_sizes'"):
        FCNNClassifier(hidden_layer_size=[4]).fit(np.zeros((4, 784)), np.arange(4))


# -- seeding ------------------------------------------------------------------------------

def _weights(est):
    return [np.asarray(w) for w in est.model_.get_weights()]


@pytest.mark.slow
@pytest.mark.parametrize("make", [
    lambda: FCNNClassifier(hidden_layer_sizes=[16], dropout=0.3, epochs=2, random_state=3,
                           early_stopping=True),
    lambda: NeuroSymbolicSumClassifier(filters=[2], hidden_layer_sizes=[4], digit_shape="vector",
                                       epochs=1, batch_size=16, random_state=3),
])
def test_same_random_state_same_weights_and_no_global_state_touched(make, digits):
    X, y, _ = digits
    if isinstance(make(), NeuroSymbolicSumClassifier):  # pairs of 8-feature "digits"
        X, y = np.random.default_rng(0).random((64, 16)), np.arange(64) % 19
    python_state, numpy_state = random.getstate(), np.random.get_state()
    first, second = make().fit(X, y), make().fit(X, y)
    assert random.getstate() == python_state
    after = np.random.get_state()
    assert all(np.array_equal(a, b) for a, b in zip(after, numpy_state))
    for a, b in zip(_weights(first), _weights(second)):
        np.testing.assert_array_equal(a, b)
    assert first.history_ == second.history_


def test_unseeded_fits_differ(digits):
    X, y, _ = digits
    a = FCNNClassifier(hidden_layer_sizes=[8], epochs=1).fit(X, y)
    b = FCNNClassifier(hidden_layer_sizes=[8], epochs=1).fit(X, y)
    assert not np.array_equal(_weights(a)[0], _weights(b)[0])


# -- the learning-rate schedule ----------------------------------------------------------

@pytest.mark.parametrize("schedule", ["cosine", "one-cycle"])
@pytest.mark.parametrize("routed", [{}, {"fit__epochs": 2}])
def test_schedule_spans_the_steps_keras_runs(schedule, routed, digits):
    X, y, _ = digits  # 300 samples, batch 64: 5 steps per epoch
    est = FCNNClassifier(hidden_layer_sizes=[8], epochs=4, batch_size=64, learning_rate=schedule,
                         learning_rate_init=0.01, random_state=0, run_eagerly=True, **routed)
    est.fit(X, y)
    epochs = routed.get("fit__epochs", 4)
    assert est.n_iter_ == epochs
    callback = est.callbacks_[-1]
    assert callback.total_steps_ == 5 * epochs
    expected = make_learning_rate_schedule(schedule, 0.01, 5 * epochs)(5 * epochs - 1)
    assert float(est.model_.optimizer.learning_rate) == pytest.approx(float(expected), rel=1e-6)


def test_schedule_follows_early_stopping_split_and_partial_fit_keeps_the_rate(digits):
    X, y, _ = digits  # 300 - 30 held out = 270 samples, batch 64: 5 steps
    est = FCNNClassifier(hidden_layer_sizes=[8], epochs=3, batch_size=64, learning_rate="cosine",
                         early_stopping=True, n_iter_no_change=10, random_state=0,
                         run_eagerly=True).fit(X, y)
    assert est.callbacks_[-1].total_steps_ == 15
    rate = float(est.model_.optimizer.learning_rate)
    est.partial_fit(X, y)
    assert float(est.model_.optimizer.learning_rate) == rate


def test_constant_schedule_adds_no_callback(digits):
    X, y, _ = digits
    est = FCNNClassifier(hidden_layer_sizes=[8], epochs=1, random_state=0).fit(X, y)
    assert est.callbacks_ == []


# -- prediction in large batches ----------------------------------------------------------

def test_predict_uses_large_batches_unless_routed(digits, monkeypatch):
    X, y, X_test = digits
    est = FCNNClassifier(hidden_layer_sizes=[8], epochs=1, random_state=0).fit(X, y)
    X_test = np.concatenate([X_test] * 100)  # 5000 digits: 5 batches, through the traced path
    seen = []
    predict = est.model_.predict_on_batch

    def recording(x):
        seen.append(len(x))
        return predict(x)

    expected = est.predict_proba(X_test)
    monkeypatch.setattr(est.model_, "predict_on_batch", recording)
    np.testing.assert_allclose(est.predict_proba(X_test), expected, rtol=1e-6, atol=1e-7)
    assert seen == [1024] * 5  # the last 904 padded to 1024: one traced shape
    seen.clear()
    est.set_params(predict__batch_size=700).predict(X_test)
    assert seen == [700] * 8
    seen.clear()
    np.testing.assert_allclose(est.predict_proba(X_test[:1500]), expected[:1500],
                               rtol=1e-6, atol=1e-7)
    assert seen == []  # fewer than 4 batches (of 700): called untraced


def test_base_class_needs_a_network():
    assert "Parameters" in BaseKerasClassifier.__doc__
    with pytest.raises(NotImplementedError, match="_keras_build_fn"):
        BaseKerasClassifier().fit(np.zeros((4, 4)), np.arange(4) % 2)
