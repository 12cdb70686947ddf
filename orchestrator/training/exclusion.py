"""Why an aggregator leaves a committed update out: JobMarket's reason codes, decided from public data only.

The aggregator commits one code per excluded update (``submitAggregate``'s ``reasons``); the excluded owner's
agent re-derives it from its own blob with :func:`holds` and disputes when it does not hold. Every code is a
deterministic function of the committed hash, the bytes at the committed CID and the job's public context.
"""
from __future__ import annotations

from enum import IntEnum

from orchestrator.training.commitments import blob_hash


class ExclusionReason(IntEnum):
    """``IJobMarket.ExclusionReason``, value for value."""

    NONE = 0
    HASH_MISMATCH = 1  # no blob hashing to the committed hash could be fetched from the committed CID
    MALFORMED_BLOB = 2  # the blob does not parse as an encrypted update of the job's mode
    WRONG_CONTEXT = 3  # the blob's context fingerprint is not the job's public context
    WRONG_SENDER = 4  # the blob's header does not name (job, round, participant)


def context_mismatch(blob: bytes, context_fingerprint: bytes) -> bool | None:
    """Whether the blob's header names another public context (None: the header does not parse)."""
    from workers import he

    try:
        return he.read_header(blob).fingerprint != context_fingerprint
    except he.HEError:
        return None


def decide(blob: bytes | None, hash_ok: bool, context_fingerprint: bytes, valid: bool) -> ExclusionReason:
    """The reason to exclude an update (NONE: include it). ``blob`` is what the committed CID gave (None:
    nothing), ``hash_ok`` whether it hashes to the committed hash, ``valid`` the public-context validation
    verdict on it (:func:`orchestrator.training.modes.validate`)."""
    if blob is None or not hash_ok:
        return ExclusionReason.HASH_MISMATCH
    if valid:
        return ExclusionReason.NONE
    mismatch = context_mismatch(blob, context_fingerprint)
    return ExclusionReason.WRONG_CONTEXT if mismatch else ExclusionReason.MALFORMED_BLOB


def holds(reason: ExclusionReason, blob: bytes, committed_hash: bytes, context_fingerprint: bytes,
          valid: bool) -> bool:
    """Whether ``reason`` holds for the owner's own ``blob`` (the one it published at the committed CID)."""
    return decide(blob, blob_hash(blob) == committed_hash, context_fingerprint, valid) == reason
