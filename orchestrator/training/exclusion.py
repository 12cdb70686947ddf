"""Why an aggregator leaves a committed update out: JobMarket's reason codes, decided from public data only.

The aggregator commits one code per excluded update (``submitAggregate``'s ``reasons``); the excluded owner's
agent re-derives it from its own blob with :func:`holds` and disputes when it does not hold. Every code is a
deterministic function of the committed hash, the bytes at the committed CID and the job's public context.
"""
from __future__ import annotations

from orchestrator.protocol import ExclusionReason
from orchestrator.training.commitments import blob_hash

#: ``ExclusionReason.None``: the update is kept (``None`` is no Python attribute name)
KEEP = ExclusionReason(0)


def context_mismatch(blob: bytes, context_fingerprint: bytes) -> bool | None:
    """Whether the blob's header names another public context (None: the header does not parse)."""
    from workers import he

    try:
        return he.read_header(blob).fingerprint != context_fingerprint
    except he.HEError:
        return None


def decide(blob: bytes | None, hash_ok: bool, context_fingerprint: bytes, valid: bool) -> ExclusionReason:
    """The reason to exclude an update (KEEP: include it). ``blob`` is what the committed CID gave (None:
    nothing), ``hash_ok`` whether it hashes to the committed hash, ``valid`` the public-context validation
    verdict on it (:func:`orchestrator.training.modes.validate`)."""
    if blob is None or not hash_ok:
        return ExclusionReason.HashMismatch
    if valid:
        return KEEP
    mismatch = context_mismatch(blob, context_fingerprint)
    return ExclusionReason.WrongContext if mismatch else ExclusionReason.MalformedBlob


def holds(reason: ExclusionReason, blob: bytes, committed_hash: bytes, context_fingerprint: bytes,
          valid: bool) -> bool:
    """Whether ``reason`` holds for the owner's own ``blob`` (the one it published at the committed CID)."""
    return decide(blob, blob_hash(blob) == committed_hash, context_fingerprint, valid) == reason
