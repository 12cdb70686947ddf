"""The auditor of a `datacap demo --work-dir DIR` run plays the malicious trainer once the run is over (its chain
gone): with DIR's trainer key file, the store and DIR/audit.json (the job's public record) only, it decrypts every
individual update, and each is noise; the unmasked aggregate is what the trainer applied."""
import json

import numpy as np
import pytest

from training_support import demo_json
from orchestrator.storage import open_storage
from orchestrator.training.keys import KeyStore
from workers import he

pytestmark = pytest.mark.slow


def test_auditor_with_only_the_trainer_key_and_the_store_reads_noise_from_every_update(tmp_path):
    d = demo_json("--work-dir", tmp_path, "--rounds", "2", "--epochs", "2")
    assert d["model_token_id"] == 1
    audit = json.loads((tmp_path / "audit.json").read_text())
    store = open_storage("local", root=tmp_path / audit["store"])
    public = store.get(audit["context_cid"])
    secret = KeyStore(tmp_path / audit["trainer_keys"]).secret_for(public)
    updates = []
    assert [r["round"] for r in audit["rounds"]] == [1, 2]
    for r in audit["rounds"]:
        assert len(r["updates"]) == 4 and r["aggregate"]["included_bits"] == 0b1111
        mean = he.decrypt(secret, store.get(r["aggregate"]["unmasked_cid"]))  # the weighted mean update applied
        assert np.abs(mean).max() <= he.load_public_context(public).params["clip"] and np.abs(mean).max() > 0
        masked_sum = he.decrypt_sum(secret, store.get(r["aggregate"]["cid"]))[0]
        assert abs(np.corrcoef(masked_sum, mean)[0, 1]) < 0.1  # the aggregator's sum alone is noise too
        for u in r["updates"]:
            blob = store.get(u["cid"])
            assert he.read_header(blob).n_parties == 1
            alone = he.decrypt_sum(secret, blob)[0]
            assert abs(np.corrcoef(alone, mean)[0, 1]) < 0.1, (r["round"], u["index"])
            updates.append(blob)
    # nothing else in the store is an individual ciphertext (no unmasked copy left by an owner's worker)
    blocks = sorted(p for p in (tmp_path / audit["store"]).rglob("*") if p.is_file())
    singles = [b for b in (p.read_bytes() for p in blocks) if b[:4] == b"DCHE" and he.read_header(b).n_parties == 1]
    assert len(singles) == len(updates) and all(any(u.startswith(b) for u in updates) for b in singles)
