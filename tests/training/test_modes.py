"""The two other HE modes through the same JobMarket lifecycle: encrypted-model logistic regression, joint statistics."""
import json

import numpy as np
import pytest

from training_support import cli_args, demo_json, invoke
from orchestrator.demo import DemoHooks, DemoOptions, run_demo

pytestmark = pytest.mark.slow


def _lifecycle_ok(d, owners, rounds):
    assert d["owners"] == owners and d["rounds"] == rounds
    assert d["model_token_id"] == 1 and d["model_owner"].startswith("0x")
    assert [r["round"] for r in d["per_round"]] == list(range(1, rounds + 1))
    assert all(r["aggregate_verified"] for r in d["per_round"])
    assert len(d["payouts"]) == owners and all(p["share"] > 0 for p in d["payouts"])
    assert not d["exclusions"] and not d["disputes"] and not d["penalties"]


def test_encrypted_model_demo_binary_logistic_regression():
    d = demo_json("--mode", "encrypted-model")
    assert d["mode"] == "encrypted-model" and d["dataset"] == "breast_cancer"
    _lifecycle_ok(d, 4, 5)
    acc = d["accuracy"]
    assert abs(acc["encrypted_federated"] - acc["plaintext_federated"]) <= 0.01, acc
    assert acc["encrypted_federated"] >= acc["centralized"] - 0.05, acc
    assert acc["encrypted_federated"] > 0.9, acc
    assert 0.9 < acc["centralized_exact_sigmoid"] <= 1.0
    losses = [r["loss"] for r in d["per_round"]]
    assert losses == sorted(losses, reverse=True), losses  # gradient steps go downhill


def _stats_ok(d, columns, bins):
    assert d["mode"] == "stats" and d["dataset"] == "wine"
    assert d["accuracy"]["encrypted_federated"] is None
    _lifecycle_ok(d, 4, 1)
    assert list(d["statistics"]) == columns and list(d["pooled"]) == columns
    for c in columns:
        got, ref = d["statistics"][c], d["pooled"][c]
        assert got["count"] == ref["count"] > 100
        for k in ("mean", "var"):
            assert abs(got[k] - ref[k]) <= 1e-3 * abs(ref[k]), (c, k, got[k], ref[k])
        if bins:
            assert got["hist"] == ref["hist"] and sum(got["hist"]) <= got["count"]
    assert d["max_rel_error"] < 1e-3 and d["max_abs_error"] is not None


def test_stats_demo_matches_pooled_numpy():
    columns = ["alcohol", "magnesium", "proline"]
    d = demo_json("--mode", "stats", "--columns", ",".join(columns), "--bins", "0,50,100,500,1000,2000")
    _stats_ok(d, columns, bins=True)


def test_stats_model_holds_the_statistics_and_job_create_takes_every_mode():
    seen = {}

    def inspect(settings, chains, job_id, agents, report):
        from orchestrator.actions.assets import show_model
        from orchestrator.storage import open_storage

        storage = open_storage("local", root=settings.store_path)
        info = show_model(chains["deployer"], agents[0].models[job_id])  # agents[0]: the trainer
        seen["weights"] = json.loads(storage.get(info.lineage["weightsCid"]))
        trainer = f"dev{report.owners + 2}"
        env = {"DATACAP_PASSWORD": "test-password"}
        assert invoke(*cli_args(settings), "account", "import-dev", str(report.owners + 3), env=env)[0] == 0
        base = [*cli_args(settings), "--account", trainer, "job", "create", "1", "--budget", "1", "--json"]
        seen["stats"] = invoke(*base, "--mode", "stats", "--columns", "alcohol,proline", "--bins", "0,100,2000", env=env)
        seen["elr"] = invoke(*base, "--rounds", "3", "--mode", "encrypted-model", "--features", "13", "--positive", "0",
                             env=env)
        seen["bad"] = invoke(*base, "--mode", "encrypted-model", env=env)
        seen["bad_rounds"] = invoke(*base, "--rounds", "2", "--mode", "stats", "--columns", "alcohol", env=env)

    report = run_demo(DemoOptions(mode="stats", owners=3, hooks=DemoHooks(inspect=inspect)))
    d = report.as_dict()
    names = list(d["pooled"])
    assert len(names) == 13  # default: every feature column
    _lifecycle_ok(d, 3, 1)
    assert seen["weights"]["statistics"] == d["statistics"] and seen["weights"]["columns"] == names
    assert d["max_rel_error"] < 1e-3
    for key, mode in (("stats", "stats"), ("elr", "encrypted-model")):
        code, out, err = seen[key]
        assert code == 0, err
        assert json.loads(out)["mode"] == mode
    for key, needle in (("bad", "--features"), ("bad_rounds", "one round")):
        code, _, err = seen[key]
        lines = err.strip().splitlines()
        assert code != 0 and len(lines) == 1 and needle in lines[0], err


def test_mode_options_fail_with_one_line():
    for args, needle in ((("--mode", "fedavg", "--columns", "a"), "--mode stats"),
                         (("--mode", "stats", "--bins", "3,1"), "increasing"),
                         (("--mode", "stats", "--bins", "a,b"), "numbers"),
                         (("--mode", "stats", "--rounds", "3"), "one round")):
        code, _, err = invoke("demo", *args)
        lines = err.strip().splitlines()
        assert code != 0 and len(lines) == 1 and lines[0].startswith("error:") and needle in lines[0], (args, err)


def test_polynomial_sigmoid_baselines_agree():
    """plaintext_federated sums the owners' gradients; centralized steps on the pooled rows: the same numbers."""
    from workers import encrypted_lr

    rng = np.random.default_rng(0)
    X = encrypted_lr.add_bias(rng.normal(size=(200, 5)))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(float)
    w = np.zeros(6)
    for _ in range(4):
        w = w - 0.1 * sum(X[p].T @ (encrypted_lr.sigmoid_poly(X[p] @ w) - y[p])
                          for p in np.array_split(np.arange(200), 3)) / 200
    np.testing.assert_allclose(w, encrypted_lr.train_plain_poly(X, y, 4, 0.1), atol=1e-12)
