"""Encrypted FedAvg through the Flower client/strategy objects vs plaintext FedAvg and centralized."""
import numpy as np
import pytest

from workers import compute, flower_app, he, training

SPEC = {"kind": "mlp", "hidden": [32], "features": 64, "classes": 10}
ROUNDS, CFG = 20, {"epochs": 2, "lr": 0.05, "batch": 32}


def _run(public_ctx, secret_ctx, split, log=None):
    cap = max(len(y) for _, y in split.owners)
    decrypt_fn = (lambda agg, g: compute.apply_aggregate(secret_ctx, agg, g)) if secret_ctx else None
    strategy = flower_app.HEFedAvg(public_ctx, training.init_weights(SPEC, 0), decrypt_fn,
                                   dict(CFG, weight_cap=cap))
    clients = [flower_app.DatacapClient(public_ctx, SPEC, X, y, seed=i) for i, (X, y) in enumerate(split.owners)]
    w = flower_app.run_inprocess(strategy, clients, ROUNDS, on_round=log.append if log is not None else None)
    return training.evaluate(SPEC, w, split.X_test, split.y_test)["accuracy"]


@pytest.fixture(scope="module")
def plain_reference(digits4):
    plain = _run(None, None, digits4)
    central_w = training.train_centralized(SPEC, digits4.X_train, digits4.y_train, 10, 0.05, 32, 0)
    central = training.evaluate(SPEC, central_w, digits4.X_test, digits4.y_test)["accuracy"]
    return plain, central


@pytest.fixture(scope="module", params=["ckks", "bfv-packed"])
def accuracies(request, plain_reference, digits4):
    sk, pk = he.generate_keys("fedavg", scheme=request.param, n_params=training.n_params(SPEC))
    log = []
    enc = _run(pk, sk, digits4, log)
    return (enc, *plain_reference, log)


def test_encrypted_fedavg_matches_plaintext_fedavg(accuracies):
    enc, plain, _, _ = accuracies
    assert abs(enc - plain) <= 0.005 + 1e-9, (enc, plain)


def test_encrypted_fedavg_is_close_to_centralized(accuracies):
    enc, _, central, _ = accuracies
    assert enc >= central - 0.03, (enc, central)
    assert enc > 0.9


def test_round_log_records_commitments(accuracies):
    *_, log = accuracies
    assert [r.round for r in log] == list(range(1, ROUNDS + 1))
    assert all(len(r.aggregate_sha256) == 64 and len(r.update_sha256) == 4 for r in log)


def test_aggregate_can_be_verified_by_anyone(any_fedavg_keys, digits4):
    _, pk = any_fedavg_keys
    g = training.init_weights(SPEC, 0)
    ups = [compute.train_and_encrypt(pk, compute.TrainRequest(SPEC, g, epochs=1, seed=i, weight_cap=500), X, y)
           for i, (X, y) in enumerate(digits4.owners)]
    blobs = [u.blob for u in ups]
    agg = compute.aggregate_updates(pk, blobs, ["a", "b", "c", "d"])
    assert agg.included == ["a", "b", "c", "d"]
    assert compute.verify_aggregate(pk, blobs, agg.sha256)
    assert compute.verify_aggregate(pk, blobs, "0x" + agg.sha256.upper())
    assert not compute.verify_aggregate(pk, blobs[::-1][:3], agg.sha256)
    garbled = bytearray(blobs[3])
    garbled[1000] ^= 0xFF
    assert not compute.verify_aggregate(pk, blobs[:3] + [bytes(garbled)], agg.sha256)


def test_flower_client_returns_ciphertext_as_uint8_array(any_fedavg_keys, digits4):
    _, pk = any_fedavg_keys
    X, y = digits4.owners[0]
    client = flower_app.DatacapClient(pk, SPEC, X, y)
    params, n, metrics = client.fit([training.init_weights(SPEC, 0)], {"epochs": 1, "weight_cap": 500})
    assert n == len(y) and params[0].dtype == np.uint8 and len(metrics["sha256"]) == 64
    assert flower_app.ndarray_to_blob(params[0])[:4] == b"DCHE"
