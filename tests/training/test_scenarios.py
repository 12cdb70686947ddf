"""Misbehaving parties and failure paths, each on a fresh demo stack (2 short rounds)."""
import threading
import time

import pytest

from training_support import CAP, HERE, cli_args, invoke
from orchestrator.demo import DemoHooks, DemoOptions, run_demo

pytestmark = pytest.mark.slow
ZERO = b"\x00" * 32


def _opts(**kw) -> DemoOptions:
    return DemoOptions(**{"rounds": 2, "epochs": 3, **kw})


def _ended_or_disputed(chains, job_id, agents):
    """The demo's own end (job ended, every participant claimed), or a dispute: then a scenario fails at once."""
    j = chains["deployer"].call("JobMarket.jobOf", job_id)
    return j["disputed"] or (j["status"] in (4, 5, 6) and j["claimants"] == j["participantCount"])


def _round_waiting(c, job_id):
    j = c.call("JobMarket.jobOf", job_id)
    if j["status"] != 3:
        return None
    r = c.call("JobMarket.roundOf", job_id, j["currentRound"])
    return r if r["aggregateHash"] == ZERO else None


def test_a_front_run_copy_is_excluded_the_round_verifies_and_a_tampered_aggregate_fails_and_is_disputed():
    """Owner 4 (participant 3) commits owner 2's pending (hash, cid) first, as a front-runner copying it from the
    mempool would: owner 2's own commit then reverts DuplicateUpdate, its agent re-encrypts the same masked update
    and commits that; the copy names owner 2, so it is excluded as WrongSender and earns nothing."""
    from orchestrator.protocol import ExclusionReason
    from orchestrator.storage.base import cid_of_bytes
    from orchestrator.training.commitments import blob_hash

    seen = {"fronted": []}

    def front_run(job_id, rnd, blob):
        if not seen["fronted"]:  # the front-runner has one update per round: it copies the first attempt only
            seen["chains"]["owner4"].transact("JobMarket.submitUpdate", job_id, rnd, blob_hash(blob),
                                              cid_of_bytes(blob), 1)
            seen["fronted"].append(blob_hash(blob))
        return blob

    def flip(_job, _round, blob):
        b = bytearray(blob)
        b[-1] ^= 0x01
        return bytes(b)

    def honest(settings, chains, job_id, agents, report):
        seen["honest"] = invoke(*cli_args(settings), "job", "verify", str(job_id), "1", "--json")
        seen["committed"] = chains["deployer"].call("JobMarket.updateHashOf", job_id, 1, 1)

    report = run_demo(_opts(rounds=1, hooks=DemoHooks(
        owner_kwargs={1: {"tamper": front_run}}, before_agents=lambda chains, _job: seen.update(chains=chains),
        until=_ended_or_disputed, inspect=honest)))
    code, out, err = seen["honest"]
    assert code == 0 and '"ok": true' in out, err
    assert len(seen["fronted"]) == 1 and seen["committed"] not in (ZERO, seen["fronted"][0])
    assert [(e["index"], e["code"]) for e in report.exclusions] == [(3, ExclusionReason.WrongSender)]
    assert report.model_token_id == 1 and not report.disputes and not report.owner_disputes
    assert report.payouts[3]["share"] == 0 and report.payouts[3]["bond_returned"] == 10 * CAP
    assert all(report.payouts[i]["share"] > 0 for i in (0, 1, 2))

    trainer_disputed = lambda chains, job_id, agents: bool(agents[0].disputes)  # noqa: E731
    report = run_demo(_opts(rounds=1, hooks=DemoHooks(aggregator_kwargs={"tamper": flip}, until=trainer_disputed,
                                                      inspect=lambda s, c, j, a, r: seen.update(
                                                          verify=invoke(*cli_args(s), "job", "verify", str(j), "1"),
                                                          dispute=c["deployer"].events("JobMarket", "DisputeRaised",
                                                                                       jobId=j)))))
    code, out, err = seen["verify"]
    lines = err.strip().splitlines()
    assert code != 0 and len(lines) == 1 and lines[0].startswith("error:") and "mismatch" in lines[0], err
    assert len(seen["dispute"]) == 1 and report.model_token_id == 0
    assert report.disputes and "mismatch" in report.disputes[0][2]


def test_a_copier_is_a_no_show_penalized_and_the_round_goes_on_after_the_deadline():
    """Owner 4 (participant 3) brings nothing of its own: each round it re-commits owner 1's committed hash and
    CID, which reverts DuplicateUpdate, so it is a no-show (penalised, unpaid) and the round goes on without it."""
    from orchestrator.training.agent import NotReady

    def after_deadline(chains, job_id):
        r = _round_waiting(chains["deployer"], job_id)
        if r is not None:
            chains["deployer"].increase_time(r["updateDeadline"] - _now(chains) + 1)

    published, copied = {}, []

    def record(job_id, rnd, blob):
        published[rnd] = blob
        return blob

    def copy(job_id, rnd, blob):
        if rnd not in published:
            raise NotReady("owner 1 has not committed yet")
        copied.append(rnd)
        return published[rnd]

    seen = {}
    # 4 owners, one copying: 3 updates remain per round (an aggregate must include at least 2)
    report = run_demo(_opts(owners=4, hooks=DemoHooks(
        owner_kwargs={0: {"tamper": record}, 3: {"tamper": copy}}, on_idle=after_deadline, until=_ended_or_disputed,
        inspect=lambda s, c, j, a, r: seen.update(
            aggs=c["deployer"].events("JobMarket", "AggregateSubmitted", jobId=j),
            copies=c["deployer"].events("JobMarket", "UpdateSubmitted", jobId=j, participant=a[4].me)))))
    assert report.model_token_id == 1
    assert copied == [1, 2] and seen["copies"] == []  # both copies tried, neither committed
    assert [bin(e.args["includedBits"]).count("1") for e in seen["aggs"]] == [3, 3]
    copier = report.payouts[3]
    assert copier["share"] == 0
    # 20% of the 10 CAP bond per missed round: 2 CAP then 1.6 CAP
    assert [p["amount"] for p in report.penalties] == [2 * CAP, 16 * CAP // 10]
    assert copier["bond_returned"] == 10 * CAP - 2 * CAP - 16 * CAP // 10
    assert all(p["share"] > 0 for p in report.payouts[:3])
    assert report.accuracy["encrypted_federated"] > 0.8


def _now(chains):
    return chains["deployer"].w3.eth.get_block("latest")["timestamp"]


def test_tampered_and_wrong_context_ciphertexts_are_excluded_not_aggregated():
    from workers import he

    _, other_pk = he.generate_keys("fedavg")

    def garble(_job, _round, blob):
        b = bytearray(blob)
        b[len(b) // 2] ^= 0xFF
        return bytes(b)

    def wrong_context(_job, _round, blob):
        n = he.read_header(blob).n_values
        return he.encrypt_update(other_pk, [0.0] * n, 1.0)

    # 5 owners: the 3 left are a strict majority of the key holders (the masking threshold)
    report = run_demo(_opts(rounds=1, owners=5, hooks=DemoHooks(owner_kwargs={1: {"tamper": garble},
                                                                              2: {"tamper": wrong_context}})))
    reasons = {e["index"]: e["reason"] for e in report.exclusions}
    assert set(reasons) == {1, 2}, reasons
    assert "garbled" in reasons[1]
    assert "wrong public context" in reasons[2]
    assert report.model_token_id == 1
    assert report.payouts[1]["share"] == 0 and report.payouts[2]["share"] == 0
    assert all(report.payouts[i]["share"] > 0 for i in (0, 3, 4))


def test_cancel_before_the_first_round_refunds_and_releases_bonds():
    from orchestrator.actions.jobs import cancel_job

    seen = {}
    report = run_demo(_opts(hooks=DemoHooks(
        before_agents=lambda chains, job_id: seen.update(tx=cancel_job(chains["trainer"], job_id)))))
    assert seen["tx"].event("JobCancelled").args["refund"] == 1000 * CAP
    assert report.model_token_id == 0 and not report.per_round
    assert [p["share"] for p in report.payouts] == [0] * 4
    assert [p["bond_returned"] for p in report.payouts] == [60 * CAP] + [10 * CAP] * 3


def test_timeout_when_the_aggregator_is_silent_pays_the_submitters_from_its_bond():
    def timeout_when_stalled(chains, job_id):
        c = chains["deployer"]
        r = _round_waiting(c, job_id)
        if r is not None and r["submittedCount"] == 4:
            c.increase_time(r["aggregateDeadline"] - _now(chains) + 1)
            c.transact("JobMarket.timeout", job_id)

    report = run_demo(_opts(rounds=1, hooks=DemoHooks(aggregator_kwargs=None, on_idle=timeout_when_stalled)))
    assert report.model_token_id == 0  # settled by contribution, without a model
    assert [p["amount"] for p in report.penalties] == [25 * CAP]  # 50% of the 50 CAP aggregator bond
    assert report.payouts[0]["bond_returned"] == 10 * CAP + 25 * CAP
    assert report.payouts[0]["share"] == 0  # no share for the round it withheld, no fee
    # the three other submitters: paid for their update, and a third each of the penalty
    assert all(p["share"] > 0 and p["compensation"] == 25 * CAP // 3 for p in report.payouts[1:])


def test_an_honest_update_excluded_for_a_false_reason_is_disputed_by_its_owner():
    from orchestrator.protocol import ExclusionReason

    def lie(_job, _round, index):
        return ExclusionReason.MalformedBlob if index == 1 else None

    owner_disputed = lambda chains, job_id, agents: any(a.disputes for a in agents[1:] if a.role == "owner")  # noqa
    seen = {}
    report = run_demo(_opts(rounds=1, hooks=DemoHooks(
        aggregator_kwargs={"misjudge": lie}, until=owner_disputed,
        inspect=lambda s, c, j, a, r: seen.update(
            excluded=c["deployer"].events("JobMarket", "UpdateExcluded", jobId=j),
            disputes=c["deployer"].events("JobMarket", "DisputeRaised", jobId=j)))))
    assert [(e.args["reason"]) for e in seen["excluded"]] == [ExclusionReason.MalformedBlob]
    assert [d.args["disputer"] for d in seen["disputes"]] == [seen["excluded"][0].args["participant"]]
    assert [d[0] for d in report.owner_disputes] == ["owner2"]  # the owner of participant index 1
    assert report.owner_disputes[0][2:] == [1, "MalformedBlob"]


def test_worker_killed_mid_task_the_job_completes_with_the_same_result(tmp_path):
    reference = run_demo(_opts())
    markers = tmp_path / "markers"
    markers.mkdir()
    killed = {}

    def watch(worker):
        def run():
            deadline = time.time() + 240
            while len(list(markers.iterdir())) < 5:  # the first train task of round 2
                if time.time() > deadline:
                    return
                time.sleep(0.02)
            worker.kill()
            killed["at"] = time.time()
            worker.env = {}
            worker.start()
        threading.Thread(target=run, daemon=True).start()

    report = run_demo(_opts(visibility_timeout=3, worker_includes=("slow_hook",), worker_pythonpath=(str(HERE),),
                            worker_env={"DATACAP_TEST_MARKERS": str(markers), "DATACAP_TEST_DELAY": "1"},
                            on_worker=watch))
    assert "at" in killed
    assert report.model_token_id == 1
    assert abs(report.accuracy["encrypted_federated"] - reference.accuracy["encrypted_federated"]) <= 0.005
    assert [round(r["accuracy"], 2) for r in report.per_round] == [round(r["accuracy"], 2)
                                                                   for r in reference.per_round]


def _forge_parties(blob: bytes, n_parties: int) -> bytes:
    """The same ciphertext with its header's party count (u32 at offset 16) rewritten (checksum untouched)."""
    b = bytearray(blob)
    b[16:20] = n_parties.to_bytes(4, "little")
    return bytes(b)


def test_a_forged_party_count_is_excluded_and_the_round_completes_with_the_others():
    # alone, 8 parties is within the context's limit (max_parties 8); summed with the others it is not
    report = run_demo(_opts(rounds=1, hooks=DemoHooks(
        owner_kwargs={1: {"tamper": lambda _j, _r, blob: _forge_parties(blob, 8)}})))
    reasons = {e["index"]: e["reason"] for e in report.exclusions}
    assert set(reasons) == {1} and "claims 8 parties" in reasons[1], reasons
    assert report.model_token_id == 1
    assert report.payouts[1]["share"] == 0
    assert all(report.payouts[i]["share"] > 0 for i in (0, 2, 3))


def test_after_a_rejected_dispute_the_trainer_goes_on_without_disputing_again():
    seen = {"resolved": 0}

    def resolve(chains, job_id):
        c = chains["deployer"]
        if c.call("JobMarket.jobOf", job_id)["disputed"]:
            role = c.call("JobMarket.ARBITER_ROLE")
            if not c.call("JobMarket.hasRole", role, c.address_of_signer()):
                c.transact("JobMarket.grantRole", role, c.address_of_signer())
            c.transact("JobMarket.resolveDispute", job_id, False)
            seen["resolved"] += 1

    def inspect(settings, chains, job_id, agents, report):
        seen["disputes"] = chains["deployer"].events("JobMarket", "DisputeRaised", jobId=job_id)

    # a valid ciphertext that is not the recomputed aggregate (its party count bumped): disputed, then ruled fine
    report = run_demo(_opts(rounds=1, hooks=DemoHooks(
        aggregator_kwargs={"tamper": lambda _j, _r, agg: _forge_parties(agg, 5)}, on_idle=resolve,
        inspect=inspect)))
    assert seen["resolved"] == 1 and len(seen["disputes"]) == 1
    assert len(report.disputes) == 1 and "mismatch" in report.disputes[0][2]
    assert report.model_token_id == 1
