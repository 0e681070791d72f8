"""Writes samme_r_sklearn_1_5.json: scikit-learn 1.5.2's SAMME.R AdaBoost on load_digits.

scikit-learn 1.5 is the last release with ``algorithm="SAMME.R"``; the reference that
``tests/test_benchmarks_reports.py`` checks ``benchmarks/_samme_r.py`` against. Run in an
environment with ``scikit-learn==1.5.2``::

    python samme_r_sklearn_1_5.py samme_r_sklearn_1_5.json
"""

import json
import sys

import numpy as np
import sklearn
from sklearn.datasets import load_digits
from sklearn.ensemble import AdaBoostClassifier
from sklearn.tree import DecisionTreeClassifier


def main(path):
    X, y = load_digits(return_X_y=True)
    out = {"sklearn": sklearn.__version__}
    for lr in (1.0, 0.5):
        m = AdaBoostClassifier(DecisionTreeClassifier(max_depth=1), n_estimators=12,
                               algorithm="SAMME.R", learning_rate=lr, random_state=0).fit(X, y)
        out[str(lr)] = dict(predict=m.predict(X).tolist(),
                            decision=m.decision_function(X[:40]).tolist(),
                            errors=m.estimator_errors_.tolist(), n=len(m.estimators_))
    with open(path, "w") as f:
        json.dump(out, f)
    print({k: (v["n"], np.mean(np.array(v["predict"]) == y))
           for k, v in out.items() if k != "sklearn"})


if __name__ == "__main__":
    main(sys.argv[1])
