"""scikit-learn reference for the distilled classifier (bench/scale-distill.ts).

Usage: /usr/bin/python3 bench/reference/sklearn_lr.py DATA.jsonl [--repeats N]

DATA.jsonl has one object per line: {"split": "train" | "dev" | "test", "text": str, "label": int}.
Runs the "LR2" configuration of the end-model reference measurements (bench/NOTES.md):
TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True) + LogisticRegression(C,
max_iter=1000) (lbfgs), C from {0.1, 1, 10, 100} picked by accuracy on the dev labels (the first
C wins a tie). Timed like that document: vec = fit_transform on the train texts, fit = the
classifier alone at the chosen C, each the median of N fresh runs (default 3); sweep = the whole
4-C selection once (vectorizing included). Prints one JSON object on stdout.

Only a benchmark dependency: Shoal itself never runs Python.
"""
import json
import statistics
import sys
import time
import warnings

import numpy as np
import scipy
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

CS = (0.1, 1.0, 10.0, 100.0)


def load(path):
    splits = {"train": ([], []), "dev": ([], []), "test": ([], [])}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            row = json.loads(line)
            texts, labels = splits[row["split"]]
            texts.append(row["text"])
            labels.append(int(row["label"]))
    return {k: (t, np.asarray(y)) for k, (t, y) in splits.items()}


def vectorizer():
    return TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True)


def main(argv):
    if not argv or argv[0].startswith("-"):
        sys.exit("usage: sklearn_lr.py DATA.jsonl [--repeats N]")
    repeats = int(argv[argv.index("--repeats") + 1]) if "--repeats" in argv else 3
    data = load(argv[0])
    (tr_x, tr_y), (dev_x, dev_y), (te_x, te_y) = data["train"], data["dev"], data["test"]
    converged = True

    # Model selection: the 4-C sweep, timed once as a whole.
    t0 = time.perf_counter()
    vec = vectorizer()
    xtr = vec.fit_transform(tr_x)
    xdev = vec.transform(dev_x)
    dev_scores = {}
    for c in CS:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            clf = LogisticRegression(C=c, max_iter=1000).fit(xtr, tr_y)
        converged &= not any(issubclass(w.category, ConvergenceWarning) for w in caught)
        dev_scores[c] = float((clf.predict(xdev) == dev_y).mean())
    sweep_s = time.perf_counter() - t0
    best_c = max(CS, key=lambda c: (dev_scores[c], -CS.index(c)))

    # The timed runs: fresh vectorizer and classifier each time, at the chosen C.
    vec_s, fit_s = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        vec = vectorizer()
        xtr = vec.fit_transform(tr_x)
        vec_s.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        clf = LogisticRegression(C=best_c, max_iter=1000).fit(xtr, tr_y)
        fit_s.append(time.perf_counter() - t0)
    test_acc = float((clf.predict(vec.transform(te_x)) == te_y).mean())

    print(json.dumps({
        "vec_s": statistics.median(vec_s),
        "fit_s": statistics.median(fit_s),
        "vec_runs_s": vec_s,
        "fit_runs_s": fit_s,
        "C": best_c,
        "dev_acc_by_C": {str(c): s for c, s in dev_scores.items()},
        "test_acc": test_acc,
        "sweep_s": sweep_s,
        "converged": converged,
        "n_train": len(tr_x),
        "n_features": int(xtr.shape[1]),
        "versions": {"sklearn": sklearn.__version__, "numpy": np.__version__, "scipy": scipy.__version__,
                     "python": sys.version.split()[0]},
    }))


if __name__ == "__main__":
    main(sys.argv[1:])
