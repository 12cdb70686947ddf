"""Protocol constants declared once (enums from the ABI, modes in one list) and the exclusion reason codes."""
from orchestrator.protocol import ExclusionReason, JobStatus, status_name
from orchestrator.training.commitments import blob_hash
from orchestrator.training.exclusion import KEEP, binding_of, bound, decide, holds, update_binding
from orchestrator.training.modes import HANDLERS
from orchestrator.training.spec import MODES

MARKET = "0x" + "11" * 20
OWNER = "0x" + "22" * 20
COPIER = "0x" + "33" * 20


def test_enums_come_from_the_abi_value_for_value():
    assert [s.name for s in JobStatus] == ["None", "Created", "Open", "Running", "Finalized", "Settled", "Cancelled"]
    assert status_name(3) == "running"
    assert [r.name for r in ExclusionReason] == ["None", "HashMismatch", "MalformedBlob", "WrongContext", "WrongSender"]
    assert KEEP == 0


def test_every_training_mode_has_a_handler_and_only_those():
    assert set(HANDLERS) == set(MODES)


def test_exclusion_reasons_are_decided_from_public_data_alone():
    from workers import he

    _, pk = he.generate_keys("fedavg")
    _, other = he.generate_keys("fedavg")
    fp = he.fingerprint(pk)
    me = update_binding(31337, MARKET, 1, 1, OWNER)
    good = bound(he.encrypt_update(pk, [0.5, -0.25], 1.0), me)
    foreign = bound(he.encrypt_update(other, [0.5, -0.25], 1.0), me)
    assert decide(None, False, fp, False, me) == ExclusionReason.HashMismatch
    assert decide(good, True, fp, True, me) == KEEP
    assert decide(foreign, True, fp, False, me) == ExclusionReason.WrongContext
    assert decide(b"not a ciphertext", True, fp, False, me) == ExclusionReason.MalformedBlob
    # an owner rebuts a false reason with its own blob, and accepts a true one
    assert not holds(ExclusionReason.MalformedBlob, good, blob_hash(good), fp, True, me)
    assert holds(ExclusionReason.HashMismatch, good, b"\x00" * 32, fp, True, me)
    assert holds(ExclusionReason.WrongContext, foreign, blob_hash(foreign), fp, False, me)


def test_attack_front_run_copied_update_is_excluded_and_the_owner_recommits_a_fresh_encryption():
    """A copier commits the owner's (hash, cid) first: its commitment's header names the owner, so it is
    excluded as WrongSender. The owner's own commit of that hash reverts (DuplicateUpdate); its fresh encryption
    of the same update hashes differently, is bound to the owner and is kept, and the owner cannot be excluded
    as WrongSender for it."""
    from workers import he

    _, pk = he.generate_keys("fedavg")
    fp = he.fingerprint(pk)
    me = update_binding(31337, MARKET, 1, 2, OWNER)
    blob = bound(he.encrypt_update(pk, [0.5, -0.25], 1.0), me)
    copier = update_binding(31337, MARKET, 1, 2, COPIER)
    assert decide(blob, True, fp, True, copier) == ExclusionReason.WrongSender
    again = bound(he.encrypt_update(pk, [0.5, -0.25], 1.0), me)
    assert blob_hash(again) != blob_hash(blob) and binding_of(again) == me
    assert decide(again, True, fp, True, me) == KEEP
    assert not holds(ExclusionReason.WrongSender, again, blob_hash(again), fp, True, me)
    # the binding covers chain, market, job and round too: a replay elsewhere is a wrong sender as well
    for other in (update_binding(1, MARKET, 1, 2, OWNER), update_binding(31337, COPIER, 1, 2, OWNER),
                  update_binding(31337, MARKET, 2, 2, OWNER), update_binding(31337, MARKET, 1, 1, OWNER)):
        assert decide(blob, True, fp, True, other) == ExclusionReason.WrongSender
    assert he.read_header(blob).binding != bytes(32) and len(blob) == len(he.encrypt_update(pk, [0.5, -0.25], 1.0))
