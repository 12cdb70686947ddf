"""`datacap demo --json` end to end: digits and CSVs, accuracy against plaintext FedAvg and centralized."""
import pytest

from training_support import demo_json, write_sklearn_csv

pytestmark = pytest.mark.slow


def _check_common(d, owners, rounds):
    assert d["owners"] == owners and d["rounds"] == rounds and d["mode"] == "fedavg"
    assert d["model_token_id"] == 1 and d["model_owner"].startswith("0x")
    assert d["gas_used"] > 0 and d["seconds"] > 0
    assert [r["round"] for r in d["per_round"]] == list(range(1, rounds + 1))
    assert len(d["payouts"]) == owners and all(p["share"] > 0 for p in d["payouts"])
    assert d["evaluation_id"] == 1 and not d["exclusions"] and not d["disputes"] and not d["penalties"]
    names = [p["name"] for p in d["phases"]]
    assert names[0] == "services" and names[-1] == "teardown"


def test_demo_digits_meets_accuracy_targets():
    d = demo_json()
    assert d["dataset"] == "digits"
    _check_common(d, 4, 5)
    acc = d["accuracy"]
    assert abs(acc["encrypted_federated"] - acc["plaintext_federated"]) <= 0.01, acc
    assert acc["encrypted_federated"] >= acc["centralized"] - 0.03, acc
    assert acc["encrypted_federated"] > 0.93, acc


@pytest.mark.parametrize("name", ["wine", "breast_cancer"])
def test_demo_on_a_csv(name, tmp_path):
    path = write_sklearn_csv(name, tmp_path / f"{name}.csv")
    d = demo_json("--dataset", path, "--label", "target", "--owners", "3", "--rounds", "4")
    assert d["dataset"] == name
    _check_common(d, 3, 4)
    acc = d["accuracy"]
    assert abs(acc["encrypted_federated"] - acc["plaintext_federated"]) <= 0.01, acc
    assert acc["encrypted_federated"] >= acc["centralized"] - 0.05, acc


def test_demo_rejects_bad_options_with_one_line():
    from training_support import invoke

    code, _, err = invoke("demo", "--owners", "1")
    assert code != 0 and err.strip().startswith("error:") and "--owners" in err
    code, _, err = invoke("demo", "--mode", "stats", "--rounds", "2")
    assert code != 0 and len(err.strip().splitlines()) == 1 and "one round" in err
