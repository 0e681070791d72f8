"""
A convolutional network: first-layer kernels and feature maps
=============================================================

Reproduces report 002, Figs 11-13.

Report 002 (task 5) trained a small convolutional network (CNN) on MNIST
digits and looked inside it: the 3 x 3 kernels of its first convolution
layer, and the feature maps that layer makes of one input digit. Kernels
with a red and a blue side are edge detectors (each orientation lights up a
different side of the strokes); the feature maps show which parts of the
digit each filter responds to, at half the resolution because of the
stride-2 convolution.
"""

import os

from _gallery import quick_mode, savefig
from sumdigits import load_mnist
from sumdigits.keras import CNNClassifier
from sumdigits.plotting import ConvKernelsDisplay, FeatureMapsDisplay

QUICK = quick_mode()  # SUMDIGITS_EXAMPLES_QUICK=1: small sizes, for CI
(X_train, y_train), (X_test, y_test) = load_mnist(os.environ.get("SUMDIGITS_DATA", "embedded"))

# %%
# A short training run on single digits
# -------------------------------------
n_train = 1_000 if QUICK else 10_000
clf = CNNClassifier(filters=[16, 32], hidden_layer_sizes=[64], epochs=2 if QUICK else 5,
                    random_state=0)
clf.fit(X_train[:n_train], y_train[:n_train])
accuracy = clf.score(X_test, y_test)
print(f"test accuracy {accuracy:.3f}")

# %%
# The 16 kernels of the first convolution layer
# ---------------------------------------------
# One colour scale for all, symmetric about 0.
kernels = ConvKernelsDisplay.from_estimator(clf)
kernels.figure_.suptitle(f"first-layer kernels (CNN, test accuracy {accuracy:.3f})")
savefig(kernels.figure_, "cnn_kernels")

# %%
# What the first layer makes of one test digit
# --------------------------------------------
# The maps after the activation (ReLU): dark where a filter does not respond.
maps = FeatureMapsDisplay.from_estimator(clf, X_test[:1], n_cols=9)
maps.figure_.suptitle(f"first-layer feature maps of a test digit {y_test[0]}")
savefig(maps.figure_, "cnn_feature_maps")
