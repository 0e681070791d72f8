"""
PCA: a two-dimensional view of the digits
=========================================

Reproduces report 002, Fig 1.

Report 002 (task 1) projected the 784 pixels of each MNIST digit onto its
first two principal components to see how far a linear map separates the ten
classes. Digits such as 0 and 1 lie at opposite ends of the first component
(a 0 has ink all around, a 1 only in the middle), while 4, 7 and 9 overlap
heavily: two linear directions keep too little of the variance to tell them
apart, which is why the later tasks turn to non-linear models.
"""

import os

import matplotlib.pyplot as plt
from sklearn.decomposition import PCA

from _gallery import quick_mode, savefig
from sumdigits import load_mnist
from sumdigits.plotting import EmbeddingDisplay

QUICK = quick_mode()  # SUMDIGITS_EXAMPLES_QUICK=1: small sizes, for CI
(X_train, y_train), _ = load_mnist(os.environ.get("SUMDIGITS_DATA", "embedded"))

# %%
# Single digits, pixels scaled to [0, 1]
# --------------------------------------
n = 1_000 if QUICK else 5_000
X = X_train[:n].reshape(n, -1) / 255.0
y = y_train[:n]

# %%
# The first two principal components
# ----------------------------------
# Each digit is written at the median of its points; the axis labels give the
# share of the pixel variance each component keeps.
disp = EmbeddingDisplay.from_pca(X, y, title=f"PCA of {n} MNIST digits")
disp.figure_.set_size_inches(6.5, 5.5)
print("explained variance ratio:", disp.explained_variance_ratio_.round(3))
savefig(disp.figure_, "pca_digits")

# %%
# The components as images
# ------------------------
# What each axis measures: pixels in red raise the coordinate, in blue lower it.
pca = PCA(n_components=2).fit(X)
fig, axes = plt.subplots(1, 2, figsize=(6, 3.2), layout="constrained")
lim = abs(pca.components_).max()
for k, ax in enumerate(axes):
    im = ax.imshow(pca.components_[k].reshape(28, 28), cmap="RdBu_r", vmin=-lim, vmax=lim)
    ax.set_title(f"PC {k + 1}")
    ax.set_axis_off()
fig.colorbar(im, ax=axes, label="loading", shrink=0.8)
savefig(fig, "pca_components")
