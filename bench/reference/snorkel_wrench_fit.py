#!/usr/bin/env python3
"""Snorkel end to end on a WRENCH folder, the work `shoal fit` does: read, fit, predict, score.

    SNORKEL_SRC=DIR /usr/bin/python3 snorkel_wrench_fit.py FOLDER [--epochs 500]

Reads FOLDER/train.json, valid.json and test.json (json.load, the way WRENCH's own loader reads
them) into dense label matrices, fits snorkel's LabelModel(cardinality=k, verbose=False) on
train (k from FOLDER/label.json, else from the votes and gold labels) with the tutorial settings
(n_epochs 500, lr 0.01, seed 123, uniform class prior), predicts valid and test and scores their accuracy, as `shoal fit` does. Prints
one JSON line: each phase's seconds, the accuracies, peak RSS and the versions. Timing the whole
process from outside adds interpreter start and the imports.
"""
import argparse
import json
import os
import resource
import sys
import time

T_START = time.perf_counter()

import numpy as np  # noqa: E402


def read_split(path):
    with open(path) as f:
        d = json.load(f)
    rows = list(d.values())
    L = np.array([r["weak_labels"] for r in rows], dtype=np.int64)
    Y = np.array([r.get("label", -1) if r.get("label") is not None else -1 for r in rows], dtype=np.int64)
    return L, Y


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("folder")
    ap.add_argument("--epochs", type=int, default=500)
    args = ap.parse_args()
    src = os.environ.get("SNORKEL_SRC")
    if not src:
        raise SystemExit("SNORKEL_SRC is not set")
    sys.path.insert(0, src)
    from snorkel.labeling.model import LabelModel

    t_import = time.perf_counter()
    L, _ = read_split(os.path.join(args.folder, "train.json"))
    evals = {}
    for name in ("valid", "test"):
        path = os.path.join(args.folder, name + ".json")
        if os.path.exists(path):
            evals[name] = read_split(path)
    label_json = os.path.join(args.folder, "label.json")
    if os.path.exists(label_json):
        with open(label_json) as f:
            k = len(json.load(f))
    else:  # no class names: the classes the votes and gold labels use
        k = int(max([L.max()] + [max(L_e.max(), Y_e.max()) for L_e, Y_e in evals.values()])) + 1
    t_read = time.perf_counter()
    model = LabelModel(cardinality=k, verbose=False)
    model.fit(L, n_epochs=args.epochs, lr=0.01, seed=123)
    t_fit = time.perf_counter()
    acc = {}
    for name, (L_e, Y_e) in evals.items():
        acc[name] = float((model.predict(L_e, tie_break_policy="random") == Y_e).mean())
    t_predict = time.perf_counter()
    import torch

    print(json.dumps({
        "imports_s": t_import - T_START,
        "read_s": t_read - t_import,
        "fit_s": t_fit - t_read,
        "predict_s": t_predict - t_fit,
        "accuracy": acc,
        "n": int(L.shape[0]), "m": int(L.shape[1]), "k": k,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "numpy": np.__version__, "torch": torch.__version__,
    }))


if __name__ == "__main__":
    main()
