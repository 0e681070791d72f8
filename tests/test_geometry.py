"""One pair geometry: one resolver, the same reading of the same array everywhere.

``sumdigits._geometry.resolve_geometry`` is the only function that works out where
the digits are in a sample; these tests count the others (none may derive a digit
shape from a feature count, a square root or a division by two) and check that every
consumer (generation, splitting, the estimators, the transformers, the plots) reads
the same arrays the same way.
"""

import io
import re
import tokenize
from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

import sumdigits
from sumdigits import PairSumTransformer, make_digit_pairs, split_pairs
from sumdigits._geometry import Geometry, resolve_geometry
from sumdigits.features import GaussianNoiseAugmenter, HOGTransformer
from sumdigits.sequential import SequentialDigitSumClassifier

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

PACKAGE = Path(sumdigits.__file__).parent

#: What infers geometry: square roots, halving, and arithmetic on a shape or a
#: feature count, in code (docstrings and comments are left out).
INFERENCE = re.compile(
    r"sqrt\(|isqrt\(|//\s*2\b|%\s*2\b|shape\[[^\]]*\]\s*(//|%)|n_features\w*\s*(//|%)"
    r"|\b784\b|\b1568\b")
#: Lines that match INFERENCE but infer no image geometry, with the reason.
NOT_GEOMETRY = {
    ("cli.py", "n_train = min(args.n_train, len(X_train) // 2)"): "pairs from n images",
    ("cli.py", "n_test = min(args.n_test, len(X_test) // 2)"): "pairs from n images",
    ("pairs.py", 'n_pairs = (_N_ORDERED if strategy == "unique" else n_images // 2) // n_digits'):
        "pairs from n images",
    ("plotting/_base.py", "n_cols = n_cols or int(np.ceil(np.sqrt(n_panels)))"):
        "a square grid of panels",
    ("features.py", "width = self.n_features_out_ // images.shape[0]"):
        "HOG descriptors per digit",
    ("keras/_ns_graph.py",
     "if matrices.shape[-3] % 2:  # pad with the identity of the log-semiring"):
        "an odd number of carry matrices, not an image",
    ("keras/_ns_layers.py", "n_digits = digit_proba.shape[1] // 2"):
        "digit probabilities (n, 2N, 10) of a Keras tensor, not an image",
    ("keras/_ns_layers.py", "return (input_shape[0], input_shape[1] // 2, 2 * k - 1)"):
        "digit probabilities (n, 2N, 10) of a Keras tensor, not an image",
    ("keras/_ns_layers.py",
     "return np.asarray(proba, dtype=np.float64).reshape(n_samples, 2, n_parts // 2, 10)"):
        "digit probabilities of the 2N digit images of number pairs, not an image",
}


def _code_lines(path):
    """(line number, code) of a module, without docstrings, strings and comments."""
    kept = {}
    for tok in tokenize.generate_tokens(io.StringIO(path.read_text()).readline):
        if tok.type in (tokenize.STRING, tokenize.COMMENT) or tok.type >= tokenize.N_TOKENS:
            continue
        if tok.type in (tokenize.NEWLINE, tokenize.NL, tokenize.INDENT, tokenize.DEDENT):
            continue
        kept.setdefault(tok.start[0], []).append(tok.string)
    lines = path.read_text().splitlines()
    return [(n, lines[n - 1].strip()) for n in sorted(kept)
            if INFERENCE.search(" ".join(kept[n]))]


def test_one_function_infers_pair_geometry():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel == "_geometry.py" or "data" in path.parts:
            continue
        found += [(rel, line) for _, line in _code_lines(path)
                  if (rel, line) not in NOT_GEOMETRY]
    assert found == [], "geometry inferred outside sumdigits._geometry.resolve_geometry"
    # and inside _geometry.py, every public function that reads a shape asks the resolver
    source = (PACKAGE / "_geometry.py").read_text()
    readers = set(re.findall(r"^def (\w+)\(", source, flags=re.M)) - {
        "resolve_geometry", "check_shape", "shape_constraint",
        # these read a digit_shape parameter ("vector" or not), never the data's shape
        "reads_vectors", "validation_shape",
        # these compare shapes (a channel axis, the spelling of fitted samples): no geometry
        "sample_image_shape", "check_spelling", "_stacklevel"}
    for name in readers - {"_square", "_plural", "_flat_digit_shape", "_auto_layout"}:
        body = source.split(f"def {name}(")[1].split("\ndef ")[0]
        assert "resolve_geometry(" in body, name


@pytest.mark.parametrize("n_features, digit", [(1568, (28, 28)), (128, (8, 8)), (18, (3, 3))])
def test_a_flattened_pair_means_two_square_digits_to_every_consumer(n_features, digit):
    rng = np.random.RandomState(0)
    X = rng.randint(0, 255, size=(30, n_features)).astype(np.float64)
    y = rng.randint(0, 10, size=(30, 2))
    expected = X.reshape(30, digit[0], 2, digit[1]).transpose(0, 2, 1, 3)  # (n, 2, h, w)
    first, second = split_pairs(X)
    np.testing.assert_array_equal(first, expected[:, 0].reshape(30, -1))
    np.testing.assert_array_equal(second, expected[:, 1].reshape(30, -1))
    clf = SequentialDigitSumClassifier(LogisticRegression(max_iter=50)).fit(X, y)
    assert clf.digit_shape_ == digit
    if min(digit) >= 2:
        hog = HOGTransformer(layout="horizontal", pixels_per_cell=1, cells_per_block=1,
                             orientations=2).fit(X)
        assert hog.digit_shape_ == digit
    assert resolve_geometry((n_features,), layout="auto").image_shape == (digit[0],
                                                                          2 * digit[1])


@pytest.mark.parametrize("n_features, image", [(784, (28, 28)), (1568, (28, 56)),
                                               (128, (8, 16)), (64, (8, 8))])
def test_the_keras_input_encoder_reads_flattened_input_by_the_same_rule(n_features, image):
    pytest.importorskip("keras")
    from sumdigits.keras._encoders import ImageInputEncoder

    encoder = ImageInputEncoder(as_images=True).fit(np.zeros((2, n_features)))
    assert encoder.input_shape_ == image  # a digit, or two side by side (layout="auto")


def test_vertical_flattened_pairs_are_read_alike():
    rng = np.random.RandomState(0)
    X3 = rng.randint(0, 255, size=(12, 16, 8)).astype(np.float64)  # 8 x 8 digits, stacked
    X = X3.reshape(12, -1)
    first, second = split_pairs(X, layout="vertical")
    np.testing.assert_array_equal(first, X3[:, :8].reshape(12, -1))
    np.testing.assert_array_equal(second, X3[:, 8:].reshape(12, -1))
    y = rng.randint(0, 10, size=(12, 2))
    flat = SequentialDigitSumClassifier(LogisticRegression(max_iter=50), layout="vertical")
    images = SequentialDigitSumClassifier(LogisticRegression(max_iter=50), layout="vertical")
    np.testing.assert_array_equal(flat.fit(X, y).predict_digit_proba(X),
                                  images.fit(X3, y).predict_digit_proba(X3))


def test_generation_and_splitting_are_inverse_for_numbers_of_several_digits():
    rng = np.random.RandomState(0)
    digits = rng.randint(0, 255, size=(40, 3, 2)).astype(np.uint8)  # 3 x 2 "digits"
    for layout in ("horizontal", "vertical"):
        geometry = Geometry((3, 2), layout, n_digits=2)
        out = np.zeros((5, *geometry.image_shape), dtype=np.uint8)
        index = rng.randint(0, 40, size=(5, 2, 2))
        geometry.digits(out)[...] = digits[index]
        np.testing.assert_array_equal(geometry.digits(out), digits[index])
        again = resolve_geometry(out.shape[1:], layout=layout, n_digits=2, digit_shape=(3, 2))
        assert again == geometry
        np.testing.assert_array_equal(again.digits(out.reshape(5, -1)), digits[index])


def test_what_cannot_be_read_asks_for_digit_shape():
    with pytest.raises(ValueError, match="X has 100 features.*digit_shape"):
        resolve_geometry((100,))  # two digits of 50 pixels
    with pytest.raises(ValueError, match="multiple of 2"):
        resolve_geometry((99,), digit_shape="vector")
    with pytest.raises(ValueError, match="even width"):
        resolve_geometry((4, 5))
    with pytest.raises(ValueError, match="even height"):
        resolve_geometry((5, 4), layout="vertical")
    with pytest.raises(ValueError, match="image_shape"):
        resolve_geometry((99,), layout="auto")
    with pytest.raises(ValueError, match=r"digit_shape=\(4, 4\)"):
        resolve_geometry((8, 16), digit_shape=(4, 4))
    with pytest.raises(ValueError, match="layout"):
        resolve_geometry((8, 16), layout="diagonal")


# ------------------------------------------------------------------- samplers

@pytest.mark.parametrize("sampler", [PairSumTransformer(100, random_state=0),
                                     GaussianNoiseAugmenter(random_state=0)])
def test_samplers_follow_imbalanced_learns_contract(sampler):
    imblearn_base = pytest.importorskip("imblearn.base")
    from sklearn.utils import get_tags

    assert imblearn_base.is_sampler(sampler)
    tags = get_tags(sampler)
    assert tags.estimator_type == "sampler" and tags.sampler_tags.sample_indices
    X, y = np.random.RandomState(0).rand(40, 16), np.arange(40) % 10
    assert sampler.fit(X, y) is sampler and not hasattr(sampler, "sample_indices_")
    X_res, y_res = sampler.fit_resample(X, y)
    rows = sampler.sample_indices_
    assert len(rows) == len(X_res) == len(y_res)
    if rows.ndim == 2:  # pairs: the sum of the two source labels
        np.testing.assert_array_equal(y_res, y[rows].sum(axis=1))
    else:
        np.testing.assert_array_equal(y_res, y[rows])


def test_pair_sampler_then_classifier_in_an_imblearn_pipeline():
    imblearn_pipeline = pytest.importorskip("imblearn.pipeline")
    rng = np.random.RandomState(0)
    X, y = rng.rand(200, 16), np.arange(200) % 10  # 4 x 4 "digits"
    pipe = imblearn_pipeline.make_pipeline(
        PairSumTransformer(300, random_state=0),
        GaussianNoiseAugmenter(clip=(0, 1), random_state=0),
        SequentialDigitSumClassifier(LogisticRegression(max_iter=50)))
    pipe.fit(X, y)  # fitted on pairs drawn from the digits, with noisy copies
    assert pipe[-1].n_features_in_ == 32 and pipe[-1].digit_shape_ == (4, 4)
    pairs, sums = make_digit_pairs(X, y, 100, random_state=1, return_X_y=True)
    assert pipe.predict(pairs).shape == sums.shape  # predicts on pairs: samplers skipped
