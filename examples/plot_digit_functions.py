"""
Learning digits from their products
===================================

Reproduces no report figure: it goes beyond the reports, to the tasks of the
newer neuro-symbolic systems.

The newer neuro-symbolic systems (Scallop's MNIST-R tasks, among others) go
beyond sums: two digits labelled only by their *product*, their *maximum*,
their *difference*... :class:`~sumdigits.keras.NeuroSymbolicFunctionClassifier`
takes any such function as a Python callable. At ``fit`` it enumerates the 100
digit pairs once (10**k combinations for k digits, k <= 4), and its network
computes the exact probability of each product from the two digit
distributions, the sum of ``p(a) p(b)`` over the pairs with ``a * b`` equal to
it. Trained on products alone, the digit network learns to name the digits:
each product tells apart fewer pairs than a sum does (``2 * 6 = 3 * 4``), but
together the products pin every digit down (0 is the digit whose products are
all 0, 5 and 7 the only ones with those prime factors...).

The training pairs are drawn from MNIST's training split, each image used once,
and the digits are scored on the test split, whose labels the network never saw.
"""

import operator
import os

import matplotlib.pyplot as plt
from sklearn.metrics import ConfusionMatrixDisplay

from _gallery import quick_mode, savefig
from sumdigits import load_mnist, make_digit_pairs
from sumdigits.keras import NeuroSymbolicFunctionClassifier

QUICK = quick_mode()  # SUMDIGITS_EXAMPLES_QUICK=1: small sizes, for CI
(X_train, y_train), (X_test, y_test) = load_mnist(os.environ.get("SUMDIGITS_DATA", "embedded"))

# %%
# Pairs labelled by their products
# --------------------------------
# Every training image once: 30,000 pairs of full MNIST (5,000 of the embedded
# subset). ``train.digits`` holds the two digit labels of each pair; only their
# product is given to the classifier.
train = make_digit_pairs(X_train, y_train, strategy="disjoint", random_state=0)
test = make_digit_pairs(X_test, y_test, strategy="disjoint", random_state=1)
products = train.digits[:, 0] * train.digits[:, 1]

clf = NeuroSymbolicFunctionClassifier(
    function=operator.mul,
    **(dict(filters=[16, 32], hidden_layer_sizes=[64]) if QUICK else {}),
    epochs=4 if QUICK else 3,
    random_state=0,
)
clf.fit(train.data, products)
product_accuracy = clf.score(test.data, test.digits[:, 0] * test.digits[:, 1])
print(f"{clf.n_classes_} possible products; test product accuracy {product_accuracy:.3f}")

# %%
# The digits it was never told
# ----------------------------
# The digit network alone, on the single test digits. Where the products
# leave two digits hard to tell apart in a short training run, the confusion
# matrix shows it off the diagonal.
digits = clf.digit_estimator_.predict(X_test)
digit_accuracy = (digits == y_test).mean()
print(f"test digit accuracy {digit_accuracy:.3f} (chance 0.1)")

fig, ax = plt.subplots(figsize=(6.5, 5.5), layout="constrained")
ConfusionMatrixDisplay.from_predictions(y_test, digits, ax=ax, colorbar=False)
ax.set_xlabel("digit read by the network learned from products")
ax.set_ylabel("true digit")
ax.set_title(f"digits learned from products: accuracy {digit_accuracy:.3f}\n"
             f"(products of test pairs: {product_accuracy:.3f})")
savefig(fig, "digit_functions_confusion")

# %%
# The probability of every product
# --------------------------------
# ``predict_proba`` gives the exact distribution over the 37 possible
# products of each test pair; its most probable value is ``predict``.
proba = clf.predict_proba(test.data[:4])
fig, axes = plt.subplots(1, 4, figsize=(14, 3), layout="constrained", sharey=True)
for ax, row, pair, (a, b) in zip(axes, proba, test.data[:4], test.digits[:4]):
    ax.bar(range(clf.n_classes_), row)
    ax.set_xticks(range(0, clf.n_classes_, 6), clf.classes_[::6])
    ax.set_title(f"{a} x {b} = {a * b}; predicted {clf.classes_[row.argmax()]}")
    ax.set_xlabel("product")
    inset = ax.inset_axes([0.55, 0.5, 0.43, 0.45])
    inset.imshow(pair, cmap="gray_r")
    inset.set_axis_off()
axes[0].set_ylabel("probability")
savefig(fig, "digit_functions_proba")
