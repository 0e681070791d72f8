"""Pair generation: properties checked with hypothesis, layouts, the transformer, bad input."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from sumdigits import PairSumTransformer, make_digit_pairs, split_pairs
from sumdigits.pairs import STRATEGIES, pair_indices


@st.composite
def digit_sets(draw, min_per_digit=1):
    """Small random digit images (any size) with every label 0..9 present."""
    h, w = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    extra = draw(st.lists(st.integers(0, 9), max_size=30))
    y = np.array(list(range(10)) * min_per_digit + extra)
    y = y[np.random.default_rng(draw(st.integers(0, 2**16))).permutation(len(y))]
    X = np.random.default_rng(len(y)).integers(0, 256, (len(y), h, w)).astype(np.uint8)
    return X, y


strategies_and_sizes = st.one_of(
    st.tuples(st.just("stratified"), st.integers(1, 5).map(lambda k: 100 * k)),
    st.tuples(st.just("unique"), st.integers(1, 100)),
    st.tuples(st.just("random"), st.integers(1, 300)),
    st.tuples(st.just("disjoint"), st.none()),
)


@settings(max_examples=60, deadline=None)
@given(data=digit_sets(), spec=strategies_and_sizes, layout=st.sampled_from(["horizontal", "vertical"]),
       seed=st.integers(0, 2**31 - 1))
def test_every_pair_traces_back_to_its_images_and_sum(data, spec, layout, seed):
    X, y = data
    strategy, n = spec
    pairs = make_digit_pairs(X, y, n, strategy=strategy, layout=layout, random_state=seed)
    expected_n = n if n is not None else len(X) // 2
    assert pairs.data.shape[0] == pairs.target.shape[0] == expected_n
    np.testing.assert_array_equal(pairs.digits, y[pairs.indices])
    np.testing.assert_array_equal(pairs.target, pairs.digits.sum(axis=1))
    assert pairs.target.min() >= 0 and pairs.target.max() <= 18
    first, second = split_pairs(pairs.data, layout=layout)
    np.testing.assert_array_equal(first, X[pairs.indices[:, 0]])
    np.testing.assert_array_equal(second, X[pairs.indices[:, 1]])


@settings(max_examples=30, deadline=None)
@given(data=digit_sets(), k=st.integers(1, 6), seed=st.integers(0, 2**31 - 1))
def test_stratified_gives_every_ordered_digit_pair_exactly_n_over_100_times(data, k, seed):
    X, y = data
    pairs = make_digit_pairs(X, y, 100 * k, strategy="stratified", random_state=seed)
    counts = np.zeros((10, 10), dtype=int)
    np.add.at(counts, (pairs.digits[:, 0], pairs.digits[:, 1]), 1)
    assert (counts == k).all()


@settings(max_examples=30, deadline=None)
@given(data=digit_sets(), n=st.integers(1, 100), seed=st.integers(0, 2**31 - 1))
def test_unique_never_repeats_an_ordered_digit_pair(data, n, seed):
    X, y = data
    pairs = make_digit_pairs(X, y, n, strategy="unique", random_state=seed)
    codes = 10 * pairs.digits[:, 0] + pairs.digits[:, 1]
    assert len(np.unique(codes)) == n


@settings(max_examples=30, deadline=None)
@given(data=digit_sets(), seed=st.integers(0, 2**31 - 1), frac=st.floats(0.01, 1.0))
def test_disjoint_never_reuses_an_image(data, seed, frac):
    X, y = data
    n = max(1, int(frac * (len(X) // 2)))
    pairs = make_digit_pairs(X, y, n, strategy="disjoint", random_state=seed)
    assert len(np.unique(pairs.indices)) == 2 * n


@settings(max_examples=20, deadline=None)
@given(data=digit_sets(), strategy=st.sampled_from(STRATEGIES), seed=st.integers(0, 2**31 - 1))
def test_same_random_state_gives_the_same_pairs(data, strategy, seed):
    X, y = data
    n = 100 if strategy in ("stratified", "unique") else None
    a = make_digit_pairs(X, y, n, strategy=strategy, random_state=seed)
    b = make_digit_pairs(X, y, n, strategy=strategy, random_state=seed)
    np.testing.assert_array_equal(a.indices, b.indices)
    np.testing.assert_array_equal(a.data, b.data)


def test_random_pairs_have_bell_shaped_sums(embedded_digits_small):
    X, y = embedded_digits_small
    target = make_digit_pairs(X, y, 20_000, strategy="random", random_state=0).target
    counts = np.bincount(target, minlength=19)
    assert counts.argmax() in (8, 9, 10) and counts[9] > 5 * counts[0] and counts[9] > 5 * counts[18]


@pytest.fixture(scope="module")
def embedded_digits_small():
    from sumdigits.datasets import load_mnist

    (X, y), _ = load_mnist("embedded")
    return X[:2000], y[:2000]


def test_mnist_layouts_and_flattened_input(embedded_digits_small):
    X, y = embedded_digits_small
    horizontal = make_digit_pairs(X, y, 200, random_state=0)
    vertical = make_digit_pairs(X, y, 200, layout="vertical", random_state=0)
    assert horizontal.data.shape == (200, 28, 56) and vertical.data.shape == (200, 56, 28)
    flat = make_digit_pairs(X.reshape(len(X), -1), y, 200, random_state=0)
    assert flat.data.shape == (200, 1568)
    np.testing.assert_array_equal(flat.data.reshape(200, 28, 56), horizontal.data)
    data, target = make_digit_pairs(X, y, 200, random_state=0, return_X_y=True)
    np.testing.assert_array_equal(target, horizontal.target)
    assert data.dtype == np.uint8


def test_scikit_learn_8x8_digits_work_as_3d_or_with_digit_shape():
    from sklearn.datasets import load_digits

    digits = load_digits()
    pairs = make_digit_pairs(digits.images, digits.target, 300, random_state=0)
    assert pairs.data.shape == (300, 8, 16)
    flat = make_digit_pairs(digits.data, digits.target, 300, digit_shape=(8, 8), random_state=0)
    assert flat.data.shape == (300, 128)
    first, _ = split_pairs(flat.data, digit_shape=(8, 8))
    np.testing.assert_array_equal(first, digits.data[flat.indices[:, 0]])


def test_mnist_addition_protocol_sizes():
    y = np.tile(np.arange(10), 6000)  # 60,000 labels
    idx = pair_indices(y, strategy="disjoint", random_state=0)
    assert idx.shape == (30_000, 2) and len(np.unique(idx)) == 60_000


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(n_pairs=150), "multiple of 100"),
        (dict(n_pairs=None), "n_pairs is required"),
        (dict(n_pairs=101, strategy="unique"), "at most 100"),
        (dict(n_pairs=11, strategy="disjoint"), "at most 10 pairs"),
        (dict(n_pairs=0, strategy="random"), "positive int"),
        (dict(n_pairs=2.5, strategy="random"), "positive int"),
        (dict(n_pairs=100, strategy="shuffled"), "strategy must be one of"),
        (dict(n_pairs=100, layout="diagonal"), "layout must be one of"),
    ],
)
def test_bad_parameters_are_named(kwargs, match):
    X, y = np.zeros((20, 28, 28)), np.repeat(np.arange(10), 2)
    with pytest.raises(ValueError, match=match):
        make_digit_pairs(X, y, **kwargs)


def test_bad_input_is_named():
    y = np.repeat(np.arange(10), 2)
    with pytest.raises(ValueError, match="y must hold digit labels in 0..9; found \\[10\\]"):
        make_digit_pairs(np.zeros((20, 28, 28)), np.r_[y[:-1], 10], 100)
    with pytest.raises(ValueError, match="y has 19 labels but X has 20 samples"):
        make_digit_pairs(np.zeros((20, 28, 28)), y[:-1], 100)
    with pytest.raises(ValueError, match="X has 99 features.*digit_shape"):
        make_digit_pairs(np.zeros((20, 99)), y, 100)
    with pytest.raises(ValueError, match="X contains NaN"):
        make_digit_pairs(np.full((20, 28, 28), np.nan), y, 100)
    # any finite pixel values are images: standardised ones too
    assert make_digit_pairs(-np.ones((20, 28, 28)), y, 100).data.min() == -1
    with pytest.raises(TypeError, match="X must hold numeric"):
        make_digit_pairs(np.full((20, 2, 2), "a"), y, 100)
    with pytest.raises(ValueError, match="X must be a 2-D array"):
        make_digit_pairs(np.zeros(20), y, 100)
    with pytest.raises(ValueError, match="whole numbers"):
        make_digit_pairs(np.zeros((20, 2, 2)), y + 0.5, 100)
    with pytest.raises(ValueError, match="no image of digit"):
        make_digit_pairs(np.zeros((20, 2, 2)), np.zeros(20, dtype=int), 100)


def test_split_pairs_rejects_what_is_not_a_pair():
    with pytest.raises(ValueError, match="even width"):
        split_pairs(np.zeros((3, 4, 5)))
    with pytest.raises(ValueError, match="1568"):
        split_pairs(np.zeros((3, 784)))


def test_transformer_records_where_each_pair_came_from(embedded_digits_small):
    X, y = embedded_digits_small
    sampler = PairSumTransformer(n_pairs=300, strategy="stratified", random_state=0)
    X_pairs, sums = sampler.fit_resample(X.reshape(len(X), -1), y)
    assert X_pairs.shape == (300, 1568)
    np.testing.assert_array_equal(sums, y[sampler.sample_indices_].sum(axis=1))
    np.testing.assert_array_equal(
        sampler.inverse_transform(X_pairs), X.reshape(len(X), -1)[sampler.sample_indices_.ravel()]
    )
    same = clone(sampler).fit_resample(X.reshape(len(X), -1), y)
    np.testing.assert_array_equal(same[0], X_pairs)


def test_transformer_validates_parameters_in_fit():
    X, y = np.zeros((20, 28, 28)), np.repeat(np.arange(10), 2)
    PairSumTransformer(strategy="bogus")  # __init__ only stores
    with pytest.raises(ValueError, match="strategy"):
        PairSumTransformer(strategy="bogus").fit_resample(X, y)
    with pytest.raises(ValueError, match="multiple of 100"):
        PairSumTransformer(n_pairs=150).fit(X, y)


def test_transformer_leads_an_imbalanced_learn_pipeline():
    imblearn_pipeline = pytest.importorskip("imblearn.pipeline")
    from sklearn.datasets import load_digits
    from sklearn.linear_model import LogisticRegression

    digits = load_digits()  # 8 x 8 digits keep the fit fast
    pipe = imblearn_pipeline.make_pipeline(
        PairSumTransformer(n_pairs=500, digit_shape=(8, 8), random_state=0),
        LogisticRegression(max_iter=500),
    )
    pipe.fit(digits.data / 16.0, digits.target)
    assert pipe[-1].coef_.shape[1] == 128
    # at predict time the resampler is skipped: the pipeline takes pair images
    X_pairs, sums = make_digit_pairs(digits.data / 16.0, digits.target, 200,
                                     digit_shape=(8, 8), random_state=1, return_X_y=True)
    assert pipe.predict(X_pairs).shape == sums.shape


@pytest.mark.parametrize("layout", ["horizontal", "vertical"])
@pytest.mark.parametrize("order", ["C", "F"])
def test_pairs_gathered_across_many_buffer_chunks_are_the_source_images(layout, order):
    # 28 x 28 float images: a chunk of the gather holds a few hundred pairs, so 2,001
    # pairs cross several chunk boundaries; F order is a non-contiguous input
    rng = np.random.default_rng(0)
    X = np.asarray(rng.random((300, 28, 28)), order=order)
    y = np.arange(300) % 10
    pairs = make_digit_pairs(X, y, 2001, strategy="random", layout=layout, random_state=0)
    axis = 2 if layout == "horizontal" else 1
    expected = np.concatenate((X[pairs.indices[:, 0]], X[pairs.indices[:, 1]]), axis=axis)
    np.testing.assert_array_equal(pairs.data, expected)


def _reference_pair_indices(y, n_pairs, strategy, seed):
    """The draw of ``pair_indices`` written plainly: int64 codes, np.stack, np.argsort."""
    rng = np.random.RandomState(seed)
    gen = np.random.default_rng(rng.randint(np.iinfo(np.int32).max))
    if strategy == "disjoint":
        return gen.permutation(len(y))[: 2 * n_pairs].reshape(n_pairs, 2)
    if strategy == "random":
        return gen.integers(0, len(y), size=(n_pairs, 2))
    if strategy == "stratified":
        codes = np.tile(np.arange(100), n_pairs // 100)
        gen.shuffle(codes)
    else:
        codes = gen.choice(100, size=n_pairs, replace=False)
    digits = np.stack([codes // 10, codes % 10], axis=1).ravel()
    counts = np.bincount(y, minlength=10)
    order = np.argsort(y, kind="stable")
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    return order[starts[digits] + gen.integers(0, counts[digits])].reshape(n_pairs, 2)


def _reference_samples(X, indices, layout):
    """One sample at a time: each number its digit images side by side, the two numbers
    side by side (horizontal) or one above the other (vertical)."""
    samples = []
    for pair in indices:  # (2 numbers, n_digits)
        numbers = [np.concatenate([X[i] for i in number], axis=1) for number in pair]
        samples.append(np.concatenate(numbers, axis=1 if layout == "horizontal" else 0))
    return np.stack(samples)


@pytest.mark.parametrize("strategy, n_pairs", [("stratified", 600), ("unique", 50),
                                               ("random", 701), ("disjoint", None)])
@pytest.mark.parametrize("layout", ["horizontal", "vertical"])
@pytest.mark.parametrize("n_digits", [1, 2])
@pytest.mark.parametrize("block_bytes", [1, 40_000, None])
def test_pairs_equal_a_naive_draw_and_gather_for_each_strategy_and_layout(
        strategy, n_pairs, layout, n_digits, block_bytes, monkeypatch):
    # 28 x 28 float64 digits (6 KiB each): the gather runs in blocks of one sample, of a
    # few samples with a shorter last block, and of its default size
    import sumdigits.pairs

    if block_bytes is not None:
        monkeypatch.setattr(sumdigits.pairs, "_GATHER_BLOCK_BYTES", block_bytes)
    rng = np.random.default_rng(0)
    X = rng.random((2400, 28, 28))
    y = rng.permutation(np.arange(2400) % 10)
    n = n_pairs if n_pairs is None or strategy == "random" else n_pairs // n_digits
    numbers = sumdigits.pairs.make_number_pairs(X, y, n, n_digits=n_digits, strategy=strategy,
                                                layout=layout, random_state=3)
    n = len(numbers.data)
    flat = _reference_pair_indices(y, n * n_digits, strategy, 3)
    indices = flat.reshape(n, n_digits, 2).transpose(0, 2, 1)
    np.testing.assert_array_equal(numbers.indices, indices)
    np.testing.assert_array_equal(numbers.data, _reference_samples(X, indices, layout))
    if n_digits == 1:
        pairs = make_digit_pairs(X.astype(np.uint8), y, n, strategy=strategy, layout=layout,
                                 random_state=3)
        np.testing.assert_array_equal(pairs.indices, flat)
        np.testing.assert_array_equal(
            pairs.data, _reference_samples(X.astype(np.uint8), indices, layout))
