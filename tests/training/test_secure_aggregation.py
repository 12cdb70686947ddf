"""Secure aggregation on real jobs: what a malicious trainer (alone, with the aggregator, with t-1 owners) reads
from the public individual updates, and dropouts in every masking phase."""
import importlib

import numpy as np
import pytest
import tenseal as ts

from orchestrator import secagg
from orchestrator.demo import DemoHooks, DemoOptions, run_demo
from orchestrator.storage.unixfs import uvarint
from orchestrator.training import masking
from orchestrator.training.keys import KeyStore
from orchestrator.training.owner import DataOwnerAgent
from workers import he

ckks_vectors = importlib.import_module("workers.he.ckks_vectors")  # (he.ckks_vectors is a function)

pytestmark = pytest.mark.slow
ZERO = b"\x00" * 32


def _all_slots(hc, chunk: bytes) -> bytes:
    """A TenSEAL vector that claims every slot (so the trainer reads all of them, not only the used ones)."""
    fields = [((1, 2), uvarint(hc.slots)) if f == 1 else ((f, w), v)
              for (f, w), v in ckks_vectors._proto_fields(chunk)]
    return ckks_vectors._proto_bytes(fields)


def _read(secret: bytes, blob: bytes) -> np.ndarray:
    """Decrypt a blob as a trainer running modified software would: every slot of a CKKS vector; no lane-overflow
    check for bfv-packed."""
    hc = he.load_secret_context(secret)
    if hc.mode != "fedavg":
        h, payload = he._check(hc, blob, None)
        return np.concatenate([ts.ckks_vector_from(hc.ts_ctx, _all_slots(hc, c)).decrypt()
                               for c in ckks_vectors.chunks(h.n_ct, payload)])
    try:
        return he.decrypt_sum(secret, blob)[0]
    except he.HEError:  # masked bfv-packed slots overflow their lanes: read lane by lane anyway
        hc = he.load_secret_context(secret)
        h, payload = he._check(hc, blob, None)
        slots = hc.impl.decrypt_slots(hc, h.n_ct, payload)
        p, t = hc.params, hc.params["plain_modulus"]
        slots = np.where(slots > t // 2, slots - t, slots)
        mask, half = (1 << p["lane_bits"]) - 1, 1 << (p["lane_bits"] - 1)
        lanes = [((slots >> (p["lane_bits"] * k)) + half & mask) - half for k in range(p["lanes"])]
        return np.stack(lanes, axis=1).reshape(-1)[:h.n_values].astype(np.float64)


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    return float(abs(np.corrcoef(a, b)[0, 1]))


def _clear(secret: bytes, blob: bytes):
    """What the honest trainer decrypts from an aggregate."""
    if he.load_secret_context(secret).mode == "fedavg":
        return he.decrypt_sum(secret, blob)
    return (he.decrypt_values(secret, blob),)


def _attack(settings, chains, job_id, agents, seen):
    """Everything the attackers can read or compute after the job, recorded in ``seen``."""
    c = chains["deployer"]
    storage = agents[0].storage
    public = storage.get(c.events("JobMarket", "JobCreated", jobId=job_id)[0].args["heContextCid"])
    secret = KeyStore(settings.data_dir / "trainer-keys").secret_for(public)
    owners = [a for a in agents if isinstance(a, DataOwnerAgent)]
    job = c.call("JobMarket.jobOf", job_id)
    setup = masking.setup_of(c, job_id)
    keys = masking.keys_of(c, job_id)
    secrets = {i: o._secrets(job_id, job["rounds"]) for i, o in enumerate(owners)}
    colluders = [1, 2]  # t - 1 = 2 of 4 members (threshold 3); owner 1 (index 0) aggregates
    for rnd in range(1, job["rounds"] + 1):
        included = c.call("JobMarket.roundOf", job_id, rnd)["includedBits"]
        revealed = masking.revealed_shares(c, job_id, rnd)
        clear = []
        for ev in c.events("JobMarket", "UpdateSubmitted", jobId=job_id, round=rnd):
            i = c.call("JobMarket.participantOf", job_id, ev.args["participant"])["index"]
            blob = storage.get(ev.args["cid"])
            dom = he.mask_domain(public, blob)
            own = masking.over(dom, lambda count, modulus, stream: secagg.owner_mask(
                i, secrets[i].mask_key(rnd), secrets[i].seeds[rnd - 1],
                {j: keys[j].mask_pubs[rnd - 1] for j in masking.bits(setup.members) if j != i},
                job_id, rnd, count, modulus, stream))
            truth = he.add_mask(public, blob, own, subtract=True)  # only owner i can do this
            clear.append(truth)
            true_update = _read(secret, truth)
            seen.setdefault("trainer", []).append(_corr(_read(secret, blob), true_update))
            if i in colluders:
                continue
            # trainer + t-1 owners (one of them the aggregator): every seed share revealed on chain, their own
            # secrets and shares; they strip the self-mask and their own pairwise masks
            seed = secagg.combine_shares(dict(sorted(revealed[i, secagg.SELF_SEED].items())[:setup.threshold]))

            def known_mask(count, modulus, stream, i=i, seed=seed):
                # i's self-mask, and for each colluder k the pairwise mask i added: the negation of k's for i
                return secagg.signed_sum([(secagg.self_mask(seed, job_id, rnd, count, modulus, stream), False)] + [
                    (secagg.pair_mask(secrets[k].masks[rnd - 1], keys[i].mask_pubs[rnd - 1], job_id, rnd, k, i, count,
                                      modulus, stream), True) for k in colluders], count, modulus)

            known = masking.over(dom, known_mask)
            seen.setdefault("coalition", []).append(_corr(_read(secret, he.add_mask(public, blob, known, subtract=True)),
                                                          true_update))
        agg = c.events("JobMarket", "AggregateSubmitted", jobId=job_id, round=rnd)[-1].args["cid"]
        unmasked = masking.unmask_aggregate(c, public, storage.get(agg), job_id, rnd, included)
        plain = he.aggregate(public, clear)
        seen.setdefault("exact", []).append(all(np.array_equal(x, y) for x, y in
                                                zip(_clear(secret, unmasked), _clear(secret, plain))))
        seen.setdefault("masked_aggregate", []).append(_corr(_read(secret, storage.get(agg)), _read(secret, plain)))


@pytest.mark.parametrize("mode,scheme,rounds", [("fedavg", "ckks", 2), ("fedavg", "bfv-packed", 1), ("stats", "ckks", 1),
                                                ("encrypted-model", "ckks", 1)])
def test_malicious_trainer_reads_noise_from_every_update_and_the_aggregate_is_exact(mode, scheme, rounds):
    seen = {}
    report = run_demo(DemoOptions(mode=mode, rounds=rounds, epochs=3, scheme=scheme,
                                  hooks=DemoHooks(inspect=lambda s, c, j, a, r: _attack(s, c, j, a, seen))))
    assert report.model_token_id == 1
    assert len(seen["trainer"]) == 4 * rounds and max(seen["trainer"]) < 0.1, seen["trainer"]
    assert len(seen["coalition"]) == 2 * rounds and max(seen["coalition"]) < 0.1, seen["coalition"]
    assert all(seen["exact"]) and max(seen["masked_aggregate"]) < 0.1
    if mode == "fedavg":
        assert report.accuracy["encrypted_federated"] == pytest.approx(report.accuracy["plaintext_federated"],
                                                                       abs=0.005)


def _warp_to_next_deadline(chains, job_id):
    """When every agent waits: jump past the deadline they wait for (join, shares, updates, reveals)."""
    c = chains["deployer"]
    j = c.call("JobMarket.jobOf", job_id)
    now = c.w3.eth.get_block("latest")["timestamp"]
    if j["status"] == 2:
        s = masking.setup_of(c, job_id)
        target = j["joinDeadline"] if not s.keys_closed else s.shares_deadline
    elif j["status"] == 3:
        r = c.call("JobMarket.roundOf", job_id, j["currentRound"])
        target = r["updateDeadline"] if r["aggregateHash"] == ZERO else r["challengeEnd"]
    else:
        return
    if target >= now:
        c.increase_time(target - now + 1)


def _events(chains, job_id, seen):
    c = chains["deployer"]
    seen["setup"] = masking.setup_of(c, job_id)
    seen["missed"] = [e.args["member"] for e in c.events("SecureAggregation", "RevealMissed", jobId=job_id)]
    seen["included"] = [e.args["includedBits"] for e in c.events("JobMarket", "AggregateSubmitted", jobId=job_id)]
    seen["owner3"] = chains["owner3"].signer.address


def test_dropouts_in_the_key_and_update_phases():
    seen = {}
    # owner index 3 never commits keys (not a member: it publishes nothing); index 2 commits, then sends no update
    report = run_demo(DemoOptions(rounds=2, epochs=2, hooks=DemoHooks(
        owner_kwargs={3: {"skip": {"keys"}}, 2: {"silent": True}}, on_idle=_warp_to_next_deadline,
        inspect=lambda s, c, j, a, r: _events(c, j, seen))))
    assert seen["setup"].members == 0b0111 and seen["setup"].threshold == 2
    assert seen["included"] == [0b0011, 0b0011]  # index 2's pairwise masks removed from its mask-key shares
    assert report.model_token_id == 1 and report.accuracy["encrypted_federated"] > 0.5
    assert report.payouts[2]["share"] == 0 and report.payouts[3]["share"] == 0


def test_dropouts_in_the_share_and_reveal_phases_penalise_the_missing_reveal():
    seen = {}
    report = run_demo(DemoOptions(owners=5, rounds=1, epochs=2, hooks=DemoHooks(
        owner_kwargs={4: {"skip": {"shares"}}, 2: {"skip": {"reveal"}}}, on_idle=_warp_to_next_deadline,
        inspect=lambda s, c, j, a, r: _events(c, j, seen))))
    assert seen["setup"].key_bits == 0b11111 and seen["setup"].members == 0b01111 and seen["setup"].threshold == 3
    assert seen["included"] == [0b01111]
    assert report.model_token_id == 1  # 3 of 4 members revealed: still a threshold of every needed secret
    assert seen["missed"] == [seen["owner3"]]
    assert seen["owner3"] in [p["participant"] for p in report.penalties]


def test_attack_encrypted_weight_other_than_the_declared_sample_count_is_disputed():
    """bfv-packed decrypts the total weight exactly: an owner whose encrypted weight is not the one its declared
    sample count gives (here: twice the influence it declares) is caught by the trainer, which disputes."""
    disputed = lambda chains, job_id, agents: bool(agents[0].disputes)  # noqa: E731
    report = run_demo(DemoOptions(rounds=1, epochs=2, scheme="bfv-packed", hooks=DemoHooks(
        owner_kwargs={2: {"declare": lambda n: n // 2}}, until=disputed)))
    assert len(report.disputes) == 1 and "total weight" in report.disputes[0][2], report.disputes
    assert report.model_token_id == 0
