"""Possession challenges from the CLI: the owner's listener answers with a zero-knowledge proof that holds
no record; a stale dataset cannot answer; silence is slashed."""

from __future__ import annotations

import json

import pytest

from orchestrator import merkle
from orchestrator.zk import prover

DAY = 86_400


def _stake_of(admin, owner: str, data_id: int) -> int:
    return admin.call("Staking.positionOf", owner, 0, data_id)["active"]


def test_listener_answers_a_challenge_against_its_own_dataset(env, csv_file, register, admin):
    data_id = register(csv_file, "dev1")
    challenge = env.ok("data", "challenge", str(data_id), account="dev2")["challenge_id"]
    admin.mine(3)  # the seed block (challenge block + 2) must be mined before leaves can be named

    res = env.run("listen", "--once", "--json", account="dev1")
    assert res.code == 0, res.stderr
    events = [json.loads(line) for line in res.stdout.splitlines()]

    assert any(e["event"] == "Challenged" and e["args"]["challengeId"] == challenge for e in events)
    assert admin.call("PossessionChallenges.challengeOf", challenge)["closed"] is True
    answered = admin.events("PossessionChallenges", "Answered", challengeId=challenge)
    assert len(answered) == 1
    # a second poll does not answer again (the outbox row is sent, the challenge closed)
    assert env.run("listen", "--once", account="dev1").code == 0
    assert len(admin.events("PossessionChallenges", "Answered", challengeId=challenge)) == 1


def test_stale_local_dataset_cannot_answer_and_silence_is_slashed(env, csv_file, register, admin, addr):
    data_id = register(csv_file, "dev3")
    env.ok("stake", "deposit", "data-owner", "150", "--asset", str(data_id), account="dev3")
    staked = _stake_of(admin, addr("dev3"), data_id)
    challenge = env.ok("data", "challenge", str(data_id), account="dev4")["challenge_id"]
    admin.mine(3)
    csv_file.write_text(csv_file.read_text() + "99,99,99\n")  # the local records no longer match the root

    line = env.fails("data", "answer", str(challenge), account="dev3")

    assert "commits to" in line
    assert admin.call("PossessionChallenges.challengeOf", challenge)["closed"] is False
    assert "DeadlineNotPassed" in env.fails("data", "slash-unanswered", str(challenge), account="dev4")
    admin.increase_time(DAY + 1)
    env.ok("data", "slash-unanswered", str(challenge), account="dev4")
    assert _stake_of(admin, addr("dev3"), data_id) < staked


def test_challenge_of_unknown_data_is_refused(env, admin):
    line = env.fails("data", "challenge", "999", account="dev2")
    assert "ERC721NonexistentToken" in line


def test_owner_cannot_challenge_itself(env, csv_file, register):
    data_id = register(csv_file, "dev3")
    assert "SelfChallenge" in env.fails("data", "challenge", str(data_id), account="dev3")


def test_answered_challenge_calldata_holds_no_record_bytes(env, csv_file, register, admin):
    data_id = register(csv_file, "dev5")
    challenge = env.ok("data", "challenge", str(data_id), account="dev6")["challenge_id"]
    admin.mine(3)

    answer = env.ok("data", "answer", str(challenge), account="dev5")

    assert admin.call("PossessionChallenges.challengeOf", challenge)["closed"] is True
    calldata = bytes(admin.w3.eth.get_transaction(answer["tx"]["tx_hash"])["input"])
    assert len(calldata) == 4 + 32 * 9  # challenge id and the 8 words of a Groth16 proof, nothing else
    for record in merkle.load_records(csv_file):
        assert record not in calldata
        for element in merkle.record_elements(record)[1:]:
            assert element.to_bytes(32, "big") not in calldata


def test_prover_refuses_a_record_the_tree_does_not_hold():
    records = [b"1,a", b"2,b", b"3,c"]
    tree = merkle.commit_records(records)
    forged = [b"1,a", b"2,x", b"3,c"]
    with pytest.raises(prover.ProverError, match="Assert Failed") as err:
        prover.prove(prover.possession_input(tree, forged, [1, 0, 2, 1], binding=7))
    assert "\n" not in str(err.value)


def test_listen_says_seed_not_ready_in_one_line_and_prints_readable_events(env, csv_file, register, admin, caplog):
    data_id = register(csv_file, "dev1")
    challenge = env.ok("data", "challenge", str(data_id), account="dev2")["challenge_id"]
    res = env.run("listen", "--once", account="dev1")  # the seed block is not mined yet
    assert res.code == 0, res.stderr
    # one line (a warning, no traceback) for the answer that must wait; on a terminal it is one stderr line
    waits = [r for r in caplog.records if "SeedNotReady(" in r.getMessage()]
    assert len(waits) == 1 and waits[0].exc_info is None and "Traceback" not in res.stderr
    line = next(l for l in res.stdout.splitlines() if f"PossessionChallenges.Challenged  challengeId={challenge} " in l)
    assert " UTC" in line and "b'" not in line  # the deadline as a date
    assert "CapToken.Transfer" not in res.stdout or " CAP" in res.stdout  # ERC-20 values in CAP
    admin.mine(3)
    assert env.run("listen", "--once", account="dev1").code == 0
    assert admin.call("PossessionChallenges.challengeOf", challenge)["closed"] is True


def test_prover_failures_are_one_line_naming_the_cause(tmp_path, monkeypatch):
    records = [b"1,a", b"2,b", b"3,c"]
    tree = merkle.commit_records(records)
    circuit_input = prover.possession_input(tree, records, [1, 0, 2, 1], binding=7)
    tampered = tmp_path / "tampered.zkey"
    tampered.write_bytes(prover.ZKEY.read_bytes()[:4096])
    with pytest.raises(prover.ProverError) as err:
        prover.prove(circuit_input, zkey=tampered)
    assert str(err.value).startswith("prover failed: ") and "\n" not in str(err.value)
    # a prover that cannot resolve snarkjs (outside the project's node_modules) says so in its one line
    stray = tmp_path / "prove.mjs"
    stray.write_text(prover.PROVER.read_text())
    monkeypatch.setattr(prover, "PROVER", stray)
    with pytest.raises(prover.ProverError, match="snarkjs") as err:
        prover.prove(circuit_input)
    assert "\n" not in str(err.value) and "Node.js" not in str(err.value)
