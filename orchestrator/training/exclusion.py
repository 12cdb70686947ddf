"""Why an aggregator leaves a committed update out: JobMarket's reason codes, decided from public data only.

The aggregator commits one code per excluded update (``submitAggregate``'s ``reasons``); the excluded owner's
agent re-derives it from its own blob with :func:`holds` and disputes when it does not hold. Every code is a
deterministic function of the committed hash, the bytes at the committed CID, the job's public context and the
commitment's own sender, job and round (the sender binding in the blob's header).
"""
from __future__ import annotations

import hashlib

from orchestrator.protocol import ExclusionReason
from orchestrator.training.commitments import blob_hash

#: ``ExclusionReason.None``: the update is kept (``None`` is no Python attribute name)
KEEP = ExclusionReason(0)


def update_binding(chain_id: int, job_market: str, job_id: int, rnd: int, participant: str) -> bytes:
    """The sender binding an owner's update header must carry: sha256 of (chainId, JobMarket, job, round,
    participant), as 32-byte words and 20-byte addresses. It is inside the committed hash, so a copy of another
    owner's (hash, cid) names that owner, not its committer."""
    return hashlib.sha256(chain_id.to_bytes(32, "big") + bytes.fromhex(job_market.removeprefix("0x"))
                          + job_id.to_bytes(32, "big") + rnd.to_bytes(32, "big")
                          + bytes.fromhex(participant.removeprefix("0x"))).digest()


def binding_for(chain, job_id: int, rnd: int, participant: str) -> bytes:
    """:func:`update_binding` on ``chain``'s deployment."""
    return update_binding(chain.chain_id, chain.deployment.contracts["JobMarket"].address, job_id, rnd, participant)


def bound(blob: bytes, binding: bytes) -> bytes:
    """``blob`` with ``binding`` in its header (what an owner publishes and commits)."""
    from workers import he

    return he.bind(blob, binding)


def binding_of(blob: bytes) -> bytes | None:
    """The sender binding in ``blob``'s header (None: the header does not parse)."""
    from workers import he

    try:
        return he.read_header(blob).binding
    except he.HEError:
        return None


def decide(blob: bytes | None, hash_ok: bool, context_fingerprint: bytes, valid: bool, binding: bytes
           ) -> ExclusionReason:
    """The reason to exclude an update (KEEP: include it). ``blob`` is what the committed CID gave (None:
    nothing), ``hash_ok`` whether it hashes to the committed hash, ``valid`` the public-context validation
    verdict on it (:func:`orchestrator.training.modes.validate`), ``binding`` the :func:`update_binding` of
    the commitment's own sender, job and round."""
    from workers import he

    if blob is None or not hash_ok:
        return ExclusionReason.HashMismatch
    try:
        header = he.read_header(blob)
    except he.HEError:
        return ExclusionReason.MalformedBlob
    if not valid:
        wrong_context = header.fingerprint != context_fingerprint
        return ExclusionReason.WrongContext if wrong_context else ExclusionReason.MalformedBlob
    return KEEP if header.binding == binding else ExclusionReason.WrongSender


def holds(reason: ExclusionReason, blob: bytes, committed_hash: bytes, context_fingerprint: bytes,
          valid: bool, binding: bytes) -> bool:
    """Whether ``reason`` holds for the owner's own ``blob`` (the one it published at the committed CID)."""
    return decide(blob, blob_hash(blob) == committed_hash, context_fingerprint, valid, binding) == reason
