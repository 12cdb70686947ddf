"""Protocol constants declared once (enums from the ABI, modes in one list) and the exclusion reason codes."""
from orchestrator.protocol import ExclusionReason, JobStatus, status_name
from orchestrator.training.commitments import blob_hash
from orchestrator.training.exclusion import KEEP, decide, holds
from orchestrator.training.modes import HANDLERS
from orchestrator.training.spec import MODES


def test_enums_come_from_the_abi_value_for_value():
    assert [s.name for s in JobStatus] == ["None", "Created", "Open", "Running", "Finalized", "Settled", "Cancelled"]
    assert status_name(3) == "running"
    assert [r.name for r in ExclusionReason] == ["None", "HashMismatch", "MalformedBlob", "WrongContext"]
    assert KEEP == 0


def test_every_training_mode_has_a_handler_and_only_those():
    assert set(HANDLERS) == set(MODES)


def test_exclusion_reasons_are_decided_from_public_data_alone():
    from workers import he

    _, pk = he.generate_keys("fedavg")
    _, other = he.generate_keys("fedavg")
    fp = he.fingerprint(pk)
    good = he.encrypt_update(pk, [0.5, -0.25], 1.0)
    foreign = he.encrypt_update(other, [0.5, -0.25], 1.0)
    assert decide(None, False, fp, False) == ExclusionReason.HashMismatch
    assert decide(good, True, fp, True) == KEEP
    assert decide(foreign, True, fp, False) == ExclusionReason.WrongContext
    assert decide(b"not a ciphertext", True, fp, False) == ExclusionReason.MalformedBlob
    # an owner rebuts a false reason with its own blob, and accepts a true one
    assert not holds(ExclusionReason.MalformedBlob, good, blob_hash(good), fp, True)
    assert holds(ExclusionReason.HashMismatch, good, b"\x00" * 32, fp, True)
    assert holds(ExclusionReason.WrongContext, foreign, blob_hash(foreign), fp, False)
