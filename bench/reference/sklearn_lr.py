"""scikit-learn reference for the distilled classifier (bench/scale-distill.ts).

Usage: /usr/bin/python3 bench/reference/sklearn_lr.py DATA.jsonl [--repeats N] [--metric acc|f1] [--soft]
                                                       [--predictions] [--C c --targets hard|soft]

DATA.jsonl has one object per line: {"split": "train" | "dev" | "test", "text": str, "label": int},
train rows optionally with "p": [float, one per class] (the label model's posterior).
Runs the "LR2" configuration of the end-model reference measurements (bench/NOTES.md):
TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True) + LogisticRegression(C,
max_iter=1000) (lbfgs), C from {0.1, 1, 10, 100} picked by accuracy on the dev labels (the first
C wins a tie). Timed like that document: vec = fit_transform on the train texts, fit = the
classifier alone at the chosen C, each the median of N fresh runs (default 3); sweep = the whole
4-C selection once (vectorizing included). Prints one JSON object on stdout.

Options for bench:distill (bench/endmodel.ts): --metric f1 selects C by F1 on dev (binary F1 of
class 1 for two classes, macro F1 otherwise; the default is accuracy); --soft adds soft targets
to the sweep: each train row becomes one row per class weighted by its "p" (sample_weight), which
makes lbfgs minimise the same soft cross-entropy Shoal's soft run does, and the (targets, C) pair
with the best dev score wins (hard first on a tie); --predictions adds the test predictions, so
the caller scores them with its own metric code; --C c with --targets (or without --soft) fixes
the choice and skips the sweep (for timed repeats alternated with other runs). CPU times (time.process_time, all threads of
this process) are printed beside the wall times.

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
    probs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            row = json.loads(line)
            texts, labels = splits[row["split"]]
            texts.append(row["text"])
            labels.append(int(row["label"]))
            if row["split"] == "train" and "p" in row:
                probs.append(row["p"])
    out = {k: (t, np.asarray(y)) for k, (t, y) in splits.items()}
    out["p"] = np.asarray(probs, dtype=np.float64) if probs and len(probs) == len(out["train"][0]) else None
    return out


def score(pred, gold, metric, k):
    if metric == "acc":
        return float((pred == gold).mean())
    f1s = []
    for c in ([1] if k == 2 else range(k)):
        tp = float(((pred == c) & (gold == c)).sum())
        fp = float(((pred == c) & (gold != c)).sum())
        fn = float(((pred != c) & (gold == c)).sum())
        f1s.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return float(np.mean(f1s))


def targets(xtr, tr_y, tr_p, kind):
    """Training rows, labels and weights: hard labels as they are, soft ones expanded per class."""
    if kind == "hard":
        return xtr, tr_y, None
    k = tr_p.shape[1]
    rows, labels, weights = [], [], []
    for c in range(k):
        keep = np.nonzero(tr_p[:, c] > 1e-6)[0]
        rows.append(keep)
        labels.append(np.full(len(keep), c))
        weights.append(tr_p[keep, c])
    rows = np.concatenate(rows)
    return xtr[rows], np.concatenate(labels), np.concatenate(weights)


def vectorizer():
    return TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True)


def main(argv):
    if not argv or argv[0].startswith("-"):
        sys.exit("usage: sklearn_lr.py DATA.jsonl [--repeats N] [--metric acc|f1] [--soft] [--predictions]")
    repeats = int(argv[argv.index("--repeats") + 1]) if "--repeats" in argv else 3
    metric = argv[argv.index("--metric") + 1] if "--metric" in argv else "acc"
    if metric not in ("acc", "f1"):
        sys.exit(f"--metric must be acc or f1, got {metric}")
    data = load(argv[0])
    (tr_x, tr_y), (dev_x, dev_y), (te_x, te_y) = data["train"], data["dev"], data["test"]
    tr_p = data["p"]
    if "--soft" in argv and tr_p is None:
        sys.exit("--soft needs a \"p\" list on every train row")
    kinds = ("hard", "soft") if "--soft" in argv else ("hard",)
    k = int(max(tr_y.max(initial=0), dev_y.max(initial=0), te_y.max(initial=0)) + 1)
    if tr_p is not None:
        k = max(k, tr_p.shape[1])
    converged = True

    cs = (float(argv[argv.index("--C") + 1]),) if "--C" in argv else CS
    if "--targets" in argv:
        kinds = (argv[argv.index("--targets") + 1],)
        if kinds[0] not in ("hard", "soft") or (kinds[0] == "soft" and tr_p is None):
            sys.exit(f"--targets must be hard or soft (soft with a \"p\" list on every train row), got {kinds[0]}")
    # Model selection: the 4-C sweep (per kind of targets), timed once as a whole; skipped when
    # --C and one kind of targets leave a single candidate.
    t0 = time.perf_counter()
    vec = vectorizer()
    xtr = vec.fit_transform(tr_x)
    xdev = vec.transform(dev_x)
    dev_scores = {}
    for kind in kinds:
        if len(kinds) * len(cs) == 1:
            dev_scores[(kind, cs[0])] = None
            break
        x_fit, y_fit, w_fit = targets(xtr, tr_y, tr_p, kind)
        for c in cs:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", ConvergenceWarning)
                clf = LogisticRegression(C=c, max_iter=1000).fit(x_fit, y_fit, sample_weight=w_fit)
            converged &= not any(issubclass(w.category, ConvergenceWarning) for w in caught)
            dev_scores[(kind, c)] = score(clf.predict(xdev), dev_y, metric, k)
    sweep_s = time.perf_counter() - t0
    order = [(kind, c) for kind in kinds for c in cs]
    best_kind, best_c = max(order, key=lambda kc: (dev_scores[kc], -order.index(kc)))

    # The timed runs: fresh vectorizer and classifier each time, at the chosen C.
    vec_s, fit_s, vec_cpu, fit_cpu = [], [], [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        vec = vectorizer()
        xtr = vec.fit_transform(tr_x)
        vec_s.append(time.perf_counter() - t0)
        vec_cpu.append(time.process_time() - c0)
        x_fit, y_fit, w_fit = targets(xtr, tr_y, tr_p, best_kind)
        t0, c0 = time.perf_counter(), time.process_time()
        clf = LogisticRegression(C=best_c, max_iter=1000).fit(x_fit, y_fit, sample_weight=w_fit)
        fit_s.append(time.perf_counter() - t0)
        fit_cpu.append(time.process_time() - c0)
    test_pred = clf.predict(vec.transform(te_x))
    test_acc = float((test_pred == te_y).mean())

    print(json.dumps({
        "vec_s": statistics.median(vec_s),
        "fit_s": statistics.median(fit_s),
        "vec_runs_s": vec_s,
        "fit_runs_s": fit_s,
        "vec_cpu_s": statistics.median(vec_cpu),
        "fit_cpu_s": statistics.median(fit_cpu),
        "C": best_c,
        "targets": best_kind,
        "metric": metric,
        "dev_acc_by_C": {str(c): s for (kind, c), s in dev_scores.items() if kind == best_kind},
        "dev_score_by_targets_C": {f"{kind} {c:g}": s for (kind, c), s in dev_scores.items()},
        "test_acc": test_acc,
        **({"test_pred": [int(v) for v in test_pred]} if "--predictions" in argv else {}),
        "sweep_s": sweep_s,
        "converged": converged,
        "n_train": len(tr_x),
        "n_features": int(xtr.shape[1]),
        "versions": {"sklearn": sklearn.__version__, "numpy": np.__version__, "scipy": scipy.__version__,
                     "python": sys.version.split()[0]},
    }))


if __name__ == "__main__":
    main(sys.argv[1:])
