"""
t-SNE of pair images and of a network's embedding
=================================================

Reproduces report 000, Figs 11-12, and report 001, Figs 7-8.

Reports 000 (section 6) and 001 (section 5) mapped the pair images to two
dimensions with t-SNE, coloured by their sum, before and after a fully
connected network (FCNN) had learnt them. On raw pixels the sums mix: two
pairs with the same sum can share no digit at all. The last hidden layer of a
trained network (``transform()``) orders the pairs by sum, small sums at one
end of the map and large ones at the other, in small tight clusters, because
that is what its output layer reads; a higher silhouette score says the same.

t-SNE's perplexity (roughly the number of neighbours each point keeps) shapes
the map; as in the reports it is chosen over a grid by the silhouette score
of the sums in the 2-D map (higher: tighter, better separated groups).
"""

import os

import matplotlib.pyplot as plt
from threadpoolctl import threadpool_limits

from _gallery import quick_mode, savefig
from sumdigits import load_mnist, make_digit_pairs
from sumdigits.keras import FCNNClassifier
from sumdigits.plotting import EmbeddingDisplay

QUICK = quick_mode()  # SUMDIGITS_EXAMPLES_QUICK=1: small sizes, for CI
(X_train, y_train), (X_test, y_test) = load_mnist(os.environ.get("SUMDIGITS_DATA", "embedded"))

n_train, n_map = (1_000, 200) if QUICK else (20_000, 800)  # t-SNE is slow: few points
perplexities = (10, 30) if QUICK else (10, 30, 50)
train = make_digit_pairs(X_train, y_train, n_train, random_state=0)
test = make_digit_pairs(X_test, y_test, n_map, random_state=1)
X_map = test.data.reshape(n_map, -1) / 255.0  # pixels of the test pairs, in [0, 1]

# %%
# The network whose embedding is mapped
# -------------------------------------
clf = FCNNClassifier(hidden_layer_sizes=[256, 128, 64], epochs=3 if QUICK else 15,
                     random_state=0).fit(train.data, train.target)
print(f"test accuracy {clf.score(test.data, test.target):.3f}")

# %%
# t-SNE maps, perplexity chosen by silhouette score
# -------------------------------------------------
# Given a grid, ``from_tsne`` (pixels) and ``from_estimator`` (the network's
# ``transform()``) run :func:`~sumdigits.plotting.select_perplexity` and draw
# the map of the best perplexity; each sum is written at the median of its
# points.
#
# scikit-learn's t-SNE runs its gradient in OpenMP threads; in a process that
# has imported TensorFlow, on a busy machine, they can spin against
# TensorFlow's own threads and run many times slower, so t-SNE gets one
# thread here (it takes a second or so on a few hundred points).
tsne_kw = {"max_iter": 500}
fig, axes = plt.subplots(1, 2, figsize=(13, 6), layout="constrained")
with threadpool_limits(limits=1):
    maps = {
        "input pixels": EmbeddingDisplay.from_tsne(
            X_map, test.target, perplexity=perplexities, random_state=0, tsne_kw=tsne_kw,
            ax=axes[0]),
        "FCNN last hidden layer": EmbeddingDisplay.from_estimator(
            clf, test.data, test.target, perplexity=perplexities, random_state=0,
            tsne_kw=tsne_kw, ax=axes[1]),
    }
for ax, (name, disp) in zip(axes, maps.items()):
    ax.set_title(f"{name}: {ax.get_title()}")
savefig(fig, "tsne_embedding")

# %%
# The silhouette score over the perplexity grid
# ---------------------------------------------
fig, ax = plt.subplots(figsize=(5.5, 3.8), layout="constrained")
for name, disp in maps.items():
    search = disp.perplexity_search_
    ax.plot(search.perplexities, search.scores, "o-", label=name)
    print(f"{name}: best perplexity {search.best_perplexity:g}, "
          f"silhouette {search.scores.max():.3f}")
ax.set(xlabel="Perplexity", ylabel="Silhouette score of the sums",
       title="t-SNE perplexity grid")
ax.grid(True, alpha=0.3)
ax.legend()
savefig(fig, "tsne_perplexity")
