#!/usr/bin/python3
"""bench/aggregation/crowdkit_standin.py -- a stand-in for crowd-kit 1.4.1.

crowd-kit (Toloka/crowd-kit) could not be installed on the machine where
bench/aggregation/RESULTS.md was measured (PyPI unreachable).  This file
re-implements, from its published algorithms and defaults, the crowd-kit
classification aggregators that labelctl is compared with, so that the
comparison can still be run.  It is a STAND-IN, labelled as such wherever
its figures appear; it is not crowd-kit.

Methods and the crowd-kit defaults they follow:
  mv       MajorityVote: ties to the first column (labels sorted).
  wawa     Wawa: worker skill = agreement with MV, then weighted MV.
  ds       DawidSkene(n_iter=100, tol=1e-5): start from MV, M-step with
           errors clipped at 1e-10, E-step in log2, stop when the ELBO per
           vote gains less than tol.
  onecoin  OneCoinDawidSkene(n_iter=100, tol=1e-5).
  glad     GLAD(n_iter=100, tol=1e-5, m_step_max_iter=25, m_step_tol=1e-2):
           Whitehill et al. 2009, alpha/beta priors N(1, 1), uniform class
           prior, M-step by scipy's conjugate gradient.
  mace     MACE(method="vb", n_iter=50, smoothing=0.01/K, alpha=beta=0.5,
           strategy prior 10): Hovy et al. 2013.  crowd-kit seeds every
           restart with random_state=0, so its 10 restarts are one run;
           this does one.  Like crowd-kit, the strategy counts come out of a
           sorted groupby and are used by position.

--impl pandas (ds only) runs crowd-kit's own DataFrame operations (join,
groupby) for the timing comparison; --impl numpy (default) the same
arithmetic on flat arrays, which is faster than crowd-kit.

  crowdkit_standin.py --votes F [--gold G] [--method M] [--impl numpy|pandas]
  crowdkit_standin.py --datasets DIR [--methods m1,m2,...]

Prints "method=M accuracy=A fit_s=T" (fit_s: the fit_predict equivalent,
CSV loading excluded, as crowd-kit users time it); --datasets prints a
Markdown table.
"""
import argparse
import os
import sys
import time

import numpy as np
import pandas as pd
import scipy.optimize
import scipy.special
import scipy.stats

EPS = np.float_power(10, -10)


class Data:
    def __init__(self, df):
        self.df = df
        self.t, self.tasks = pd.factorize(df["task"])
        self.w, self.workers = pd.factorize(df["worker"])
        self.labels = np.array(sorted(df["label"].unique()))
        self.l = np.searchsorted(self.labels, df["label"].to_numpy())
        self.n_t, self.n_w, self.K = len(self.tasks), len(self.workers), len(self.labels)


def mv_probas(d, weights=None):
    wv = np.ones(len(d.t)) if weights is None else weights[d.w]
    P = np.zeros((d.n_t, d.K))
    np.add.at(P, (d.t, d.l), wv)
    return P / P.sum(axis=1, keepdims=True)


def m_mv(d):
    return mv_probas(d)


def m_wawa(d):
    mv = mv_probas(d).argmax(axis=1)
    agree = (d.l == mv[d.t]).astype(float)
    skill = np.bincount(d.w, agree, d.n_w) / np.bincount(d.w, None, d.n_w)
    return mv_probas(d, skill)


def ds_numpy(d, n_iter=100, tol=1e-5, onecoin=False):
    T = mv_probas(d)
    n = len(d.t)

    def m_step(T):
        if onecoin:
            skill = np.bincount(d.w, T[d.t, d.l], d.n_w) / np.bincount(d.w, None, d.n_w)
            E = np.empty((d.n_w, d.K, d.K))  # [worker, answered, truth]
            E[:] = ((1 - skill) / (d.K - 1))[:, None, None]
            idx = np.arange(d.K)
            E[:, idx, idx] = skill[:, None]
            return np.clip(E, EPS, 1 - EPS)
        E = np.zeros((d.n_w, d.K, d.K))
        np.add.at(E, (d.w, d.l), T[d.t])
        seen = np.zeros((d.n_w, d.K), bool)  # crowd-kit keeps only seen rows
        seen[d.w, d.l] = True
        E = np.where(seen[:, :, None], np.clip(E, EPS, None), 0.0)
        return E / E.sum(axis=1, keepdims=True)

    def e_step(prior, E):
        L = np.zeros((d.n_t, d.K))
        np.add.at(L, d.t, np.log2(E[d.w, d.l]))
        L += np.log2(np.clip(prior, EPS, None))
        L = np.exp2(L - L.max(axis=1, keepdims=True))
        return L / L.sum(axis=1, keepdims=True)

    def elbo(T, prior, E):
        joint = (T[d.t] * (np.log(E[d.w, d.l]) + np.log(np.clip(prior, EPS, None)))).sum()
        Tc = np.clip(T, EPS, None)
        return joint - (np.log(Tc) * Tc).sum()

    prior = T.mean(axis=0)
    E = m_step(T)
    loss = -np.inf
    for _ in range(n_iter):
        T = e_step(prior, E)
        prior = T.mean(axis=0)
        E = m_step(T)
        new = elbo(T, prior, E) / n
        if new - loss < tol:
            break
        loss = new
    return T


def ds_pandas(d, n_iter=100, tol=1e-5):
    """crowd-kit's DawidSkene.fit, DataFrame operation for operation."""
    data = d.df[["task", "worker", "label"]]
    cnt = data.groupby(["task", "label"]).size().unstack(fill_value=0)
    probas = cnt.div(cnt.sum(axis=1), axis=0)

    def m_step(probas):
        joined = data.join(probas, on="task").drop(columns=["task"])
        errors = joined.groupby(["worker", "label"], sort=False).sum()
        errors = errors.clip(lower=EPS)
        return errors / errors.groupby("worker", sort=False).sum()

    def e_step(priors, errors):
        joined = data.join(np.log2(errors), on=["worker", "label"])
        joined = joined.drop(columns=["worker", "label"])
        ll = np.log2(priors.clip(lower=EPS)) + joined.groupby("task", sort=False).sum()
        sl = np.exp2(ll.sub(ll.max(axis=1), axis=0))
        return sl.div(sl.sum(axis=1), axis=0)

    def elbo(probas, priors, errors):
        joined = data.join(np.log(errors), on=["worker", "label"])
        lp = np.log(priors.clip(lower=EPS))
        joined.loc[:, priors.index] = joined.loc[:, priors.index].add(lp)
        joined = joined.set_index(["task", "worker"])
        joint = (probas * joined).sum().sum()
        pc = probas.clip(lower=EPS)
        return float(joint - (np.log(pc) * pc).sum().sum())

    priors = probas.mean()
    errors = m_step(probas)
    loss = -np.inf
    for _ in range(n_iter):
        probas = e_step(priors, errors)
        priors = probas.mean()
        errors = m_step(probas)
        new = elbo(probas, priors, errors) / len(data)
        if new - loss < tol:
            break
        loss = new
    # Rows back in factorized task order, columns in label order.
    return probas.reindex(index=d.tasks, columns=d.labels).to_numpy()


def m_glad(d, n_iter=100, tol=1e-5, m_iter=25, m_tol=1e-2):
    K, nw = d.K, d.n_w
    logK1 = np.log(K - 1)
    prior = np.full(K, 1.0 / K)
    ab = np.ones(nw + d.n_t)  # alphas then betas

    def e_step(ab):
        a, b = ab[:nw][d.w], np.exp(ab[nw:])[d.t]
        x = a * b
        ls, l1s = -np.logaddexp(0, -x), -np.logaddexp(0, x)
        L = np.zeros((d.n_t, K))
        np.add.at(L, d.t, (l1s - logK1)[:, None] * np.ones(K))
        np.add.at(L, (d.t, d.l), ls - (l1s - logK1))
        L += np.log(prior)
        return np.exp(L - scipy.special.logsumexp(L, axis=1, keepdims=True))

    def q_and_grad(ab, P):
        a, eb = ab[:nw][d.w], np.exp(ab[nw:])[d.t]
        x = a * eb
        ls, l1s = -np.logaddexp(0, -x), -np.logaddexp(0, x)
        pt = P[d.t, d.l]  # posterior of the label given
        q = (pt * ls + (1 - pt) * (l1s - logK1)).sum()
        dev = ab - 1.0
        q += (-0.5 * dev**2 - 0.5 * np.log(2 * np.pi)).sum()
        g = pt - scipy.special.expit(x)
        ga = np.bincount(d.w, g * eb, nw) - dev[:nw]
        gb = np.bincount(d.t, g * a * eb, d.n_t) - dev[nw:]
        return -q, -np.concatenate([ga, gb])

    P = e_step(ab)
    Q = -q_and_grad(ab, P)[0]
    n = len(d.t) * K
    for _ in range(n_iter):
        last = Q
        P = e_step(ab)
        res = scipy.optimize.minimize(q_and_grad, ab, args=(P,), jac=True, method="CG",
                                      tol=m_tol, options={"maxiter": m_iter})
        ab = res.x
        Q = -q_and_grad(ab, P)[0] / n
        if Q - last < tol:
            break
    return P


def m_mace(d, n_iter=50, alpha=0.5, beta=0.5, noise=0.5):
    # MACE factorizes labels in order of appearance.
    lab, lab_names = pd.factorize(d.df["label"])
    L, nw = len(lab_names), d.n_w
    spam = scipy.stats.uniform(1, 1 + noise).rvs(size=(nw, 2), random_state=0)
    theta = scipy.stats.uniform(1, 1 + noise).rvs(size=(nw, L), random_state=0)
    spam /= spam.sum(axis=1, keepdims=True)
    theta /= theta.sum(axis=1, keepdims=True)
    tprior = np.tile([alpha, beta], (nw, 1))
    sprior = np.full((nw, L), 10.0)
    # crowd-kit's groupby(["worker", "label"]) sorts rows by worker name.
    sorted_workers = np.argsort(np.argsort(np.asarray(d.workers.astype(str))))
    sorted_labels = np.argsort(np.argsort(np.asarray(lab_names.astype(str))))

    def e_step(spam, theta):
        G = np.zeros((d.n_t, L))
        base = spam[d.w, 0] * theta[d.w, lab]
        for j in range(L):
            gm = base + spam[d.w, 1] * (lab == j)
            G[:, j] = np.exp(np.bincount(d.t, np.log(gm), d.n_t)) / L
        inst = G.sum(axis=1)
        sm = np.zeros(len(lab))
        for j in range(L):
            sm += G[d.t, j] / (base + spam[d.w, 1] * (lab == j))
        sm = sm * base / inst[d.t]
        strat = np.zeros((nw, L))
        np.add.at(strat, (sorted_workers[d.w], sorted_labels[lab]), sm)
        know = np.zeros((nw, 2))
        know[:, 0] = np.bincount(d.w, sm, nw)
        kc = G[d.t, lab] * spam[d.w, 1] / (base + spam[d.w, 1]) / inst[d.t]
        know[:, 1] = np.bincount(d.w, kc, nw)
        return G, strat, know

    def vnorm(x, h):
        num = np.exp(scipy.special.digamma(x + h))
        den = np.exp(scipy.special.digamma((x + h).sum(axis=1)))[:, None]
        return np.divide(num, den, out=np.zeros_like(x), where=~np.isclose(den, 0))

    G, strat, know = e_step(spam, theta)
    for _ in range(n_iter):
        spam, theta = vnorm(know, tprior), vnorm(strat, sprior)
        G, strat, know = e_step(spam, theta)
    G, _, _ = e_step(spam, theta)
    P = G / G.sum(axis=1, keepdims=True)
    # Back to sorted label columns.
    order = np.searchsorted(d.labels, np.asarray(lab_names))
    out = np.zeros((d.n_t, d.K))
    out[:, order] = P
    return out


METHODS = {
    "mv": m_mv,
    "wawa": m_wawa,
    "ds": lambda d: ds_numpy(d),
    "onecoin": lambda d: ds_numpy(d, onecoin=True),
    "glad": m_glad,
    "mace": m_mace,
}


def load(path):
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.columns = ["task", "worker", "label"] if len(df.columns) == 3 else ["task", "label"]
    return df


def accuracy(d, P, gold):
    g = gold.set_index("task")["label"]
    pred = pd.Series(d.labels[P.argmax(axis=1)], index=d.tasks)
    common = g.index.intersection(pred.index)
    return float((pred[common] == g[common]).mean())


def run(votes, gold, method, impl):
    df = load(votes)
    t0 = time.perf_counter()
    d = Data(df)
    if method == "ds" and impl == "pandas":
        P = ds_pandas(d)
    else:
        P = METHODS[method](d)
    labels = d.labels[P.argmax(axis=1)]
    fit = time.perf_counter() - t0
    acc = accuracy(d, P, load(gold)) if gold else float("nan")
    return acc, fit, len(labels)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--votes")
    ap.add_argument("--gold")
    ap.add_argument("--method", default="ds", choices=sorted(METHODS))
    ap.add_argument("--impl", default="numpy", choices=["numpy", "pandas"])
    ap.add_argument("--datasets")
    ap.add_argument("--methods", default="mv,wawa,ds,onecoin,glad,mace")
    a = ap.parse_args()
    if a.datasets:
        ms = a.methods.split(",")
        print("| data set | " + " | ".join(ms) + " |")
        print("|---|" + "---|" * len(ms))
        for name in sorted(os.listdir(a.datasets)):
            v = os.path.join(a.datasets, name, "votes.csv")
            if not os.path.exists(v):
                continue
            accs = [run(v, os.path.join(a.datasets, name, "gold.csv"), m, a.impl)[0] for m in ms]
            print("| %s | " % name + " | ".join("%.4f" % x for x in accs) + " |", flush=True)
        return 0
    if not a.votes:
        ap.error("--votes or --datasets")
    acc, fit, n = run(a.votes, a.gold, a.method, a.impl)
    print("method=%s impl=%s accuracy=%.4f fit_s=%.3f items=%d" % (a.method, a.impl, acc, fit, n))
    return 0


if __name__ == "__main__":
    sys.exit(main())
