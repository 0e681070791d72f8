"""
A fully connected network on pair images: learning curves and errors
=====================================================================

Reproduces report 001, Figs 3-5, and report 000, Figs 3-4.

Reports 000 and 001 trained a fully connected network (FCNN) on the pixels
of pair images, tuned with Optuna, and followed its loss and accuracy per
epoch on the training data and on a held-out validation set (report 001,
figures 3-4; report 003 for single digits). Where the validation curve
flattens while the training curve keeps improving the network starts to
overfit: early stopping (here on 10% of the training pairs) keeps the weights
of the best validation epoch. The confusion matrix and a few test pairs show
what it still gets wrong (report 000, figures 3-4; report 001, figure 5).
"""

import os

from _gallery import quick_mode, savefig
from sumdigits import load_mnist, make_digit_pairs
from sumdigits.keras import FCNNClassifier
from sumdigits.plotting import PairGridDisplay, SumConfusionMatrixDisplay, TrainingHistoryDisplay

QUICK = quick_mode()  # SUMDIGITS_EXAMPLES_QUICK=1: small sizes, for CI
(X_train, y_train), (X_test, y_test) = load_mnist(os.environ.get("SUMDIGITS_DATA", "embedded"))

n_train, n_test = (1_000, 300) if QUICK else (20_000, 2_000)
train = make_digit_pairs(X_train, y_train, n_train, random_state=0)
test = make_digit_pairs(X_test, y_test, n_test, random_state=1)

# %%
# Training with a validation split
# --------------------------------
# ``early_stopping=True`` holds out ``validation_fraction`` of the training
# pairs; their loss and accuracy are recorded per epoch in ``history_`` as
# ``val_loss`` and ``val_accuracy``.
clf = FCNNClassifier(hidden_layer_sizes=[256, 128, 64], dropout=0.2,
                     epochs=3 if QUICK else 30, early_stopping=True, n_iter_no_change=5,
                     random_state=0)
clf.fit(train.data, train.target)
print(f"{clf.n_iter_} epochs, test accuracy {clf.score(test.data, test.target):.3f}")

# %%
# Learning curves
# ---------------
disp = TrainingHistoryDisplay.from_estimator(clf, name="FCNN")
disp.figure_.suptitle("FCNN on pair images")
savefig(disp.figure_, "fcnn_learning_curves")

# %%
# Confusion matrix of the test pairs
# ----------------------------------
cm = SumConfusionMatrixDisplay.from_estimator(clf, test.data, test.target)
cm.ax_.set_title(f"FCNN, test accuracy {clf.score(test.data, test.target):.3f}")
savefig(cm.figure_, "fcnn_confusion_matrix")

# %%
# Ten test pairs with their predictions
# -------------------------------------
grid = PairGridDisplay.from_estimator(clf, test.data, test.target, n_images=10, random_state=0)
savefig(grid.figure_, "fcnn_predictions")
