"""Fast checks of the agents' guards with stand-ins for the chain, storage and workers (no stack)."""
from types import SimpleNamespace

import pytest

from orchestrator.errors import ContractRevert
from orchestrator.listener import ChainMoved, OutboxRow
from orchestrator.training import aggregator as agg_mod
from orchestrator.training import trainer as trainer_mod
from orchestrator.training import verify as verify_mod
from orchestrator.training.agent import Agent, AgentOutbox, NotReady
from orchestrator.training.commitments import RoundState, TooFewIncluded, UpdateCommitment
from orchestrator.protocol import ExclusionReason
from orchestrator.training.modes import HANDLERS, RoundContext

ME = "0x" + "ab" * 20


def _rs(included_bits, n=3, aggregated=True):
    ups = tuple(UpdateCommitment(i, f"0x{i:040x}", bytes([i + 1]) * 32, f"cid{i}", 10) for i in range(n))
    return RoundState(7, 1, 0, 0, (1 << n) - 1, included_bits, 2, (b"\x01" if aggregated else b"\x00") * 32,
                      "aggcid" if aggregated else "", "gcid", ups)


class NoExecutor:
    def run(self, *a, **kw):
        raise AssertionError(f"no task may run: {a}")


def _job(**kw):
    return SimpleNamespace(**{"job_id": 7, "trainer": ME, "aggregator": ME, "status": "running", "current_round": 1,
                              "rounds": 2, "participants": 3, "spec_cid": "spec", "context_cid": "ctx", **kw})


def test_the_trainer_refuses_to_decrypt_an_aggregate_of_one_update(monkeypatch, caplog):
    t = object.__new__(trainer_mod.TrainerAgent)
    t.me, t.executor, t.refused, t.disputes = ME, NoExecutor(), [], []
    t.chain = SimpleNamespace(call=lambda *a: pytest.fail("no chain call after the refusal"))
    monkeypatch.setattr(trainer_mod, "job_info", lambda c, j: _job())
    monkeypatch.setattr(trainer_mod, "round_state", lambda c, j, r: _rs(0b010))
    monkeypatch.setattr(trainer_mod, "verify_round", lambda *a: pytest.fail("not verified either"))
    t.do_close(OutboxRow(1, "k", "close", {"job": 7, "round": 1}, 0))
    assert t.refused == [(7, 1, 1)] and not t.disputes
    assert "REFUSING to decrypt" in caplog.text
    # every mode's decrypt path checks too (defense in depth)
    rc = RoundContext(SimpleNamespace(), NoExecutor().run, "ctx", "task")
    for handler in HANDLERS.values():
        with pytest.raises(TooFewIncluded):
            handler.trainer_step(rc, _job(), None, _rs(0b100))


def test_job_verify_reports_an_aggregate_of_fewer_than_two_updates(monkeypatch):
    monkeypatch.setattr(verify_mod, "job_info", lambda c, j: _job())
    monkeypatch.setattr(verify_mod, "round_state", lambda c, j, r: _rs(0b001))
    v = verify_mod.verify_round(None, None, 7, 1)
    assert not v.ok and "includes 1 update(s), at least 2" in v.reason


BINDING = b"\x42" * 32  # every update's header names its committer (the check itself: test_protocol.py)
REAL_CODE = agg_mod.AggregatorAgent._code


class FakeExecutor:
    def __init__(self, parties, aggregate_error=None):
        self.parties, self.aggregate_error, self.calls = parties, aggregate_error, []

    def run(self, name, args, task_id):
        self.calls.append((name, task_id))
        if name == "datacap.validate_ciphertext":
            i = int(task_id.rsplit(":", 1)[1])
            return {"ok": True, "n_values": 4, "n_parties": self.parties[i], "binding": BINDING.hex()}
        assert name == "datacap.aggregate"
        if self.aggregate_error is not None and len(args[2]) == len(self.parties):
            raise self.aggregate_error
        return {"cid": "aggcid", "sha256": "ab" * 32}


def _aggregator(monkeypatch, executor, n=3):
    a = object.__new__(agg_mod.AggregatorAgent)
    a.me, a.executor, a.tamper, a.misjudge, a.exclusions, a.instance = ME, executor, None, None, [], "i"
    a.storage = SimpleNamespace(settings=lambda: {"backend": "local", "root": "/nowhere"})
    submitted = []
    a.chain = SimpleNamespace(
        call=lambda name, *args: 2 if name == "JobMarket.MIN_AGGREGATE" else {"aggregateHash": b"\x00" * 32, "submittedCount": n, "updateDeadline": 0,
                                  "aggregateDeadline": 10**12},
        transact=lambda name, *args: submitted.append((name, args)))
    monkeypatch.setattr(agg_mod, "job_info", lambda c, j: _job(participants=n))
    monkeypatch.setattr(agg_mod, "now", lambda c: 1)
    monkeypatch.setattr(agg_mod, "binding_for", lambda c, j, r, participant: BINDING)
    monkeypatch.setattr(agg_mod, "round_state", lambda c, j, r: _rs(0, n, aggregated=False))
    monkeypatch.setattr(agg_mod.payloads, "spec", lambda s, cid: SimpleNamespace(mode="fedavg", n_values=4))
    # the reason code is decided from the blob itself (tests/training/test_protocol.py); here: malformed
    monkeypatch.setattr(agg_mod.AggregatorAgent, "_code", lambda self, u, *context: ExclusionReason.MalformedBlob)
    return a, submitted


def test_the_aggregator_commits_a_copied_update_as_wrong_sender(monkeypatch):
    """A blob that validates under the job's context but whose header names another sender is committed as
    WrongSender (a reason its committer's agent finds holds), not as MalformedBlob (which it would dispute)."""
    from orchestrator.training.exclusion import bound
    from workers import he

    other = b"\x07" * 32
    _, pk = he.generate_keys("fedavg")
    copy = bound(he.encrypt_update(pk, [0.5, -0.25], 1.0), other)  # names another owner than its committer

    class CopyAt1(FakeExecutor):
        def run(self, name, args, task_id):
            out = super().run(name, args, task_id)
            return {**out, "binding": other.hex()} if task_id.endswith(":validate:1") else out

    a, submitted = _aggregator(monkeypatch, CopyAt1([1, 1, 1]))
    monkeypatch.setattr(agg_mod.AggregatorAgent, "_code", REAL_CODE)
    monkeypatch.setattr(agg_mod.payloads, "raw", lambda storage, cid: copy)
    monkeypatch.setattr(agg_mod, "blob_hash", lambda blob: bytes([2]) * 32)  # participant 1's committed hash
    monkeypatch.setattr(agg_mod, "context_fingerprint", lambda storage, cid: he.fingerprint(pk))
    a.do_aggregate(_row())
    assert [(e.index, e.code) for e in a.exclusions] == [(1, ExclusionReason.WrongSender)]
    assert submitted[0][1][-2:] == (0b101, [ExclusionReason.WrongSender])


def _row():
    return OutboxRow(1, "i:aggregator:aggregate:7:1:x", "aggregate", {"job": 7, "round": 1}, 0)


def test_the_aggregator_excludes_a_forged_party_count_and_aggregates_the_rest(monkeypatch):
    a, submitted = _aggregator(monkeypatch, FakeExecutor([1, 8, 1]))
    a.do_aggregate(_row())
    assert [(e.index, "claims 8 parties" in e.reason) for e in a.exclusions] == [(1, True)]
    assert len(submitted) == 1 and submitted[0][1][-2] == 0b101
    assert submitted[0][1][-1] == [ExclusionReason.MalformedBlob]  # the committed, re-checkable reason


def test_the_aggregator_never_submits_fewer_than_two_updates(monkeypatch, caplog):
    a, submitted = _aggregator(monkeypatch, FakeExecutor([1, 3, 2]))
    a.do_aggregate(_row())
    assert {e.index for e in a.exclusions} == {1, 2} and not submitted
    assert "at least 2 needed" in caplog.text


def test_a_failing_aggregate_task_excludes_the_named_update_instead_of_crashing(monkeypatch):
    from workers.he import CiphertextRejected

    ex = FakeExecutor([1, 1, 1], aggregate_error=CiphertextRejected("payload is garbled", 2))
    a, submitted = _aggregator(monkeypatch, ex)
    a.do_aggregate(_row())
    assert [e.index for e in a.exclusions] == [2] and submitted[0][1][-2] == 0b011
    agg_ids = [t for n, t in ex.calls if n == "datacap.aggregate"]
    assert len(agg_ids) == 2 and agg_ids[1] == agg_ids[0] + ":3"  # a new deterministic id per included set
    # a failure naming no update: the round is left to time out, `job run` goes on
    ex = FakeExecutor([1, 1, 1], aggregate_error=CiphertextRejected("aggregate would sum 9 parties"))
    a, submitted = _aggregator(monkeypatch, ex)
    a.do_aggregate(_row())
    assert not submitted


def test_agent_outbox_and_step_never_crash_on_a_failing_row_or_a_moving_chain(tmp_path, caplog):
    box = AgentOutbox(str(tmp_path / "o.db"))
    for k in ("a", "b", "c", "d"):
        AgentOutbox.add(box.conn, k, "x", {})
    done = []

    def send(row):
        if row.key == "a":
            raise RuntimeError("boom")
        if row.key == "b":
            raise NotReady("later")
        if row.key == "c":
            raise ConnectionError("rpc down")
        done.append(row.key)

    assert box.dispatch(send) == 1 and done == ["d"]
    assert [r.key for r in box.pending()] == ["a", "b", "c"] and "boom" in caplog.text
    for _ in range(20):
        box.dispatch(send)
    assert [r.key for r in box.pending()] == ["b", "c"]  # a non-transient failure is given up after 10 tries

    agent = object.__new__(Agent)
    agent.role, agent.outbox = "test", box

    def moved():
        raise ChainMoved("block 9 changed")
    agent.listener = SimpleNamespace(poll_once=moved)
    agent.do_x = lambda row: (_ for _ in ()).throw(ContractRevert("r", error="DisputePending"))
    with pytest.raises(NotReady):
        agent.perform(OutboxRow(1, "k", "x", {}, 0))
    agent.do_x = lambda row: (_ for _ in ()).throw(ContractRevert("r", error="ChallengeWindowOpen"))
    with pytest.raises(NotReady):
        agent.perform(OutboxRow(1, "k", "x", {}, 0))
    assert agent.step() == 0 and "block 9 changed" in caplog.text
    box.close()
