"""
Classic classifiers on pair images: confusion matrices and reports
==================================================================

Reproduces report 000, Figs 5-7 (confusion matrices) and Tables 6, 8 and 10
(classification reports).

Reports 000 and 001 trained scikit-learn's support-vector machine, random
forest and AdaBoost directly on the 1,568 pixels of each pair image, one class
per sum. None of them knows that a pair holds two digits: each must learn all
100 digit combinations as 19 classes. The 19 x 19 confusion matrix (rows: true
sum, columns: predicted sum) shows where each goes wrong, and the
classification report its precision, recall and F1-score per sum.
"""

import os

import matplotlib.pyplot as plt
from sklearn.ensemble import AdaBoostClassifier, RandomForestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from _gallery import quick_mode, savefig
from sumdigits import load_mnist, make_digit_pairs
from sumdigits.plotting import (
    ClassificationReportDisplay,
    PairGridDisplay,
    SumConfusionMatrixDisplay,
)

QUICK = quick_mode()  # SUMDIGITS_EXAMPLES_QUICK=1: small sizes, for CI
(X_train, y_train), (X_test, y_test) = load_mnist(os.environ.get("SUMDIGITS_DATA", "embedded"))

# %%
# Stratified pairs, flattened to 1,568 pixels, from separate MNIST splits.
n_train, n_test = (500, 300) if QUICK else (3_000, 1_000)
train = make_digit_pairs(X_train.reshape(len(X_train), -1), y_train, n_train, random_state=0)
test = make_digit_pairs(X_test.reshape(len(X_test), -1), y_test, n_test, random_state=1)

classifiers = {
    "SVM (RBF kernel)": make_pipeline(MinMaxScaler(), SVC(C=10, gamma="scale")),
    "random forest": RandomForestClassifier(n_estimators=20 if QUICK else 100, n_jobs=2,
                                            random_state=0),
    "AdaBoost": AdaBoostClassifier(DecisionTreeClassifier(max_depth=3),
                                   n_estimators=5 if QUICK else 40, random_state=0),
}
for clf in classifiers.values():
    clf.fit(train.data, train.target)

# %%
# Confusion matrices
# ------------------
# Most errors sit next to the diagonal: a sum off by one, one digit misread.
fig, axes = plt.subplots(1, 3, figsize=(21, 6.5), layout="constrained")
for ax, (name, clf) in zip(axes, classifiers.items()):
    disp = SumConfusionMatrixDisplay.from_estimator(clf, test.data, test.target, ax=ax,
                                                    colorbar=False)
    ax.set_title(f"{name}: accuracy {clf.score(test.data, test.target):.3f}")
savefig(fig, "classic_classifiers_confusion")

# %%
# Classification reports
# ----------------------
# The extreme sums (0, 1, 17, 18) have few test pairs, so their scores vary most.
fig, axes = plt.subplots(1, 3, figsize=(14, 7), layout="constrained")
for ax, (name, clf) in zip(axes, classifiers.items()):
    ClassificationReportDisplay.from_estimator(clf, test.data, test.target, labels=range(19),
                                               ax=ax, colorbar=ax is axes[-1])
    ax.set_xlabel(name, fontsize=11)
savefig(fig, "classic_classifiers_report")

# %%
# The best classifier at work
# ---------------------------
# Wrong predictions are titled in red.
grid = PairGridDisplay.from_estimator(classifiers["SVM (RBF kernel)"], test.data, test.target,
                                      n_images=10, random_state=0)
savefig(grid.figure_, "classic_classifiers_predictions")
