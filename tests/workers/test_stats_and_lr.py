"""Joint statistics and encrypted-model logistic regression under CKKS."""
import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_wine
from sklearn.model_selection import train_test_split

from workers import encrypted_lr, he, stats


def test_joint_statistics_match_pooled_numpy():
    sk, pk = he.generate_keys("stats")
    X, _ = load_wine(return_X_y=True)
    cols, bins = [0, 4, 9, 12], [0, 5, 10, 15, 100, 2000]
    shards = np.array_split(X, 3)
    agg = stats.aggregate_stats(pk, [stats.encrypt_stats(pk, s, cols, bins) for s in shards])
    got = stats.decrypt_stats(sk, agg, len(cols), bins)
    pooled = X[:, cols]
    assert got.count == len(X)
    np.testing.assert_allclose(got.mean, pooled.mean(0), rtol=1e-7)
    np.testing.assert_allclose(got.var, pooled.var(0), rtol=1e-5)
    expected_hist = np.stack([np.histogram(pooled[:, j], bins=bins)[0] for j in range(len(cols))])
    np.testing.assert_array_equal(got.hist, expected_hist)


def test_encrypted_model_logistic_regression_binary():
    X, y = load_breast_cancer(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    mu, sd = Xtr.mean(0), Xtr.std(0)
    Xtr, Xte = encrypted_lr.add_bias((Xtr - mu) / sd), encrypted_lr.add_bias((Xte - mu) / sd)
    sk, pk = he.generate_keys("encrypted-model")
    owners = np.array_split(np.arange(len(ytr)), 2)
    scale, steps = 1 / 250, 3
    w = np.zeros(Xtr.shape[1])
    for _ in range(steps):
        enc_w = encrypted_lr.encrypt_weights(pk, w)
        grads = [encrypted_lr.encrypted_gradient(pk, enc_w, Xtr[o], ytr[o], scale) for o in owners]
        w = encrypted_lr.gradient_step(sk, he.aggregate(pk, grads), w, len(ytr), lr=0.1, scale=scale)
    w_plain = encrypted_lr.train_plain_poly(Xtr, ytr, steps, lr=0.1)
    assert np.abs(w - w_plain).max() < 1e-3
    acc = (encrypted_lr.predict(w, Xte) == yte).mean()
    assert acc >= 0.9, acc
