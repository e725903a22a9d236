#!/usr/bin/env python3
"""Snorkel's LabelModel.fit, transcribed, as a timing and accuracy reference for bench:scale.

Why a transcription: snorkel itself is not installable here (no PyPI), but its fit is a few
numpy/torch lines, and numpy and torch are Debian packages (the versions the Snorkel reference
numbers were measured with; bench/NOTES.md, "What every figure shares"). This file repeats, op
for op, what snorkel/labeling/model/label_model.py (0.10) does in fit() and predict_proba() for the
conditionally independent model with default settings:

  L_ind  dense n x (m*k) float64 one-hot (_create_L_ind)
  O      torch.from_numpy(L_ind.T @ L_ind / n).float()            (_generate_O)
  mu     nn.Parameter(mu_init * np.random.random()), mu_init from prec_init 0.7  (_init_params)
  mask   ones(d, d).bool() with each LF's own k x k block False     (_build_mask)
  loss   ||(O - mu P mu^T)[mask]||^2 + ||sum(mu P, 1) - diag(O)||^2 + ||l2 I (mu - mu_init)||^2
  SGD    lr 0.01, momentum 0.9 (snorkel's sgd_config), n_epochs 500 (the tutorial setting)
  clamp  mu into [eps, 1 - eps], eps = min(0.01, 10^-ceil(log10 n))   (_clamp_params)

What it leaves out: the Munkres column-permutation step after training (k x k, negligible) and
logging. bench:scale calibrates this script against the measured Snorkel times (the
reference's label-model section, §3) in the same run, so a reader can see how close it is.

Input: a label matrix written by the reference's generator, synth.py (<name>.json, .L.i8, .Y.i8).
Output: one JSON line: fit_s (L_ind + O + init + epochs + clamp), predict_s, acc (argmax against
Y, ties to the lowest index), peak_rss_mb (this process's high-water mark), torch and numpy
versions, threads, and impl: "snorkel" or "transcription".

Real Snorkel first: with SNORKEL_SRC naming a Snorkel source checkout (its parent of the
`snorkel` package) that imports with these Debian packages, this runs snorkel's own
LabelModel(cardinality=k, verbose=False).fit(L, n_epochs, lr=0.01, seed=123) and predict_proba
instead of the transcription (which then also covers the Munkres step and logging). --impl
transcription forces the transcription.
"""
import os
import argparse
import json
import resource
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim


def load(prefix):
    with open(prefix + ".json") as f:
        header = json.load(f)
    n, m, k = header["n"], header["m"], header["k"]
    L = np.fromfile(prefix + ".L.i8", dtype=np.int8).reshape(n, m).astype(np.int64)
    Y = np.fromfile(prefix + ".Y.i8", dtype=np.int8).astype(np.int64)
    return L, Y, k


class TranscribedLabelModel(nn.Module):
    def __init__(self, cardinality):
        super().__init__()
        self.cardinality = cardinality

    def _create_L_ind(self, L):
        L_ind = np.zeros((self.n, self.m * self.cardinality))
        for y in range(1, self.cardinality + 1):
            L_ind[:, (y - 1)::self.cardinality] = np.where(L == y, 1, 0)
        return L_ind

    def _build_mask(self):
        self.mask = torch.ones(self.d, self.d).bool()
        k = self.cardinality
        for i in range(self.m):
            self.mask[i * k:(i + 1) * k, i * k:(i + 1) * k] = False

    def _loss_mu(self, l2=0.0):
        loss_1 = torch.norm((self.O - self.mu @ self.P @ self.mu.t())[self.mask]) ** 2
        loss_2 = torch.norm(torch.sum(self.mu @ self.P, 1) - torch.diag(self.O)) ** 2
        D = l2 * torch.eye(self.d)
        return loss_1 + loss_2 + torch.norm(D @ (self.mu - self.mu_init)) ** 2

    def fit(self, L_train, n_epochs=500, lr=0.01, seed=123, prec_init=0.7):
        np.random.seed(seed)
        torch.manual_seed(seed)
        L_shift = L_train + 1
        self.p = (1 / self.cardinality) * np.ones(self.cardinality)
        self.P = torch.diag(torch.from_numpy(self.p)).float()
        self.n, self.m = L_shift.shape
        L_ind = self._create_L_ind(L_shift)
        self.d = L_ind.shape[1]
        self.O = torch.from_numpy(L_ind.T @ L_ind / self.n).float()
        del L_ind
        lps = torch.diag(self.O).numpy()
        self.mu_init = torch.zeros(self.d, self.cardinality)
        for i in range(self.m):
            for y in range(self.cardinality):
                idx = i * self.cardinality + y
                self.mu_init[idx, y] += float(np.clip(lps[idx] * prec_init / self.p[y], 0, 1))
        self.mu = nn.Parameter(self.mu_init.clone() * np.random.random()).float()
        self._build_mask()
        optimizer = optim.SGD([self.mu], lr=lr, momentum=0.9, weight_decay=0.0)
        for _ in range(n_epochs):
            optimizer.zero_grad()
            loss = self._loss_mu()
            if torch.isnan(loss):
                raise RuntimeError("Loss is NaN")
            loss.backward()
            optimizer.step()
        eps = min(0.01, 1 / 10 ** np.ceil(np.log10(self.n)))
        self.mu.data = self.mu.clamp(eps, 1 - eps)

    def predict_proba(self, L):
        L_shift = L + 1
        self.n, self.m = L_shift.shape
        L_aug = self._create_L_ind(L_shift)
        mu = self.mu.detach().numpy()
        X = np.exp(L_aug @ np.log(mu) + np.log(self.p))
        return X / X.sum(axis=1, keepdims=True)


def real_snorkel(k):
    """Snorkel's own LabelModel from SNORKEL_SRC, or None when it is not set or does not import."""
    src = os.environ.get("SNORKEL_SRC")
    if not src:
        return None
    sys.path.insert(0, src)
    from snorkel.labeling.model import LabelModel

    class Real:
        def __init__(self):
            self.model = LabelModel(cardinality=k, verbose=False)

        def fit(self, L, n_epochs):
            self.model.fit(L, n_epochs=n_epochs, lr=0.01, seed=123)

        def predict_proba(self, L):
            return self.model.predict_proba(L)

    return Real()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("prefix", help="path of a synth.py matrix without extension")
    ap.add_argument("--epochs", type=int, default=500)
    ap.add_argument("--impl", choices=["auto", "snorkel", "transcription"], default="auto")
    args = ap.parse_args()
    L, Y, k = load(args.prefix)
    model = None if args.impl == "transcription" else real_snorkel(k)
    if model is None and args.impl == "snorkel":
        raise SystemExit("SNORKEL_SRC is not set")
    impl = "transcription" if model is None else "snorkel"
    if model is None:
        model = TranscribedLabelModel(k)
    t0 = time.perf_counter()
    model.fit(L, n_epochs=args.epochs)
    fit_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    proba = model.predict_proba(L)
    predict_s = time.perf_counter() - t0
    acc = float((proba.argmax(axis=1) == Y).mean())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    json.dump({"impl": impl, "fit_s": fit_s, "predict_s": predict_s, "acc": acc, "peak_rss_mb": peak,
               "torch": torch.__version__, "numpy": np.__version__,
               "threads": torch.get_num_threads()}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
