"""Anyone can check a round: fetch the committed ciphertexts and the aggregate, recompute, compare hashes."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from orchestrator.chain import Chain
from orchestrator.errors import StorageError
from orchestrator.training.commitments import blob_hash, job_info, round_state


@dataclass(frozen=True)
class Verdict:
    job_id: int
    round: int
    ok: bool
    reason: str
    aggregate_hash: str
    recomputed_hash: str = ""
    included: tuple[int, ...] = ()

    def as_dict(self) -> dict:
        return {**self.__dict__, "included": list(self.included)}


def recompute(public_ctx: bytes, blobs: list[bytes]) -> bytes:
    """The aggregate anyone gets from the committed ciphertexts (ordered by participant index)."""
    from workers import compute

    return compute.aggregate_updates(public_ctx, blobs).blob


def verify_round(chain: Chain, storage, job_id: int, round_: int,
                 run: Callable[[str, list], dict] | None = None) -> Verdict:
    """Recompute round ``round_`` of ``job_id`` from the chain's commitments; never raises on a mismatch.

    ``run(task, args)``: recompute on a worker (an agent's) by CIDs instead of in this process.
    """
    job = job_info(chain, job_id)
    rs = round_state(chain, job_id, round_)
    on_chain = "0x" + rs.aggregate_hash.hex()
    if not rs.aggregated:
        return Verdict(job_id, round_, False, f"round {round_} of job #{job_id} has no aggregate yet", on_chain)

    def bad(reason: str, recomputed: str = "") -> Verdict:
        return Verdict(job_id, round_, False, reason, on_chain, recomputed, tuple(u.index for u in rs.included()))

    if rs.n_included < rs.min_included:
        return bad(f"the aggregate includes {rs.n_included} update(s), at least {rs.min_included} are needed "
                   "(decrypting it would reveal a single owner's update)")
    try:
        agg = storage.get(rs.aggregate_cid)
    except StorageError as exc:
        return bad(f"cannot fetch the aggregate: {exc}")
    if blob_hash(agg) != rs.aggregate_hash:
        return bad(f"aggregate at {rs.aggregate_cid} does not hash to the committed {on_chain}")
    if not rs.included():
        return bad("the aggregate includes no update")
    if run is not None:  # the worker fetches the updates and checks each against its commitment
        out = run("datacap.verify_aggregate", [storage.settings(), job.context_cid, [u.cid for u in rs.included()],
                                               [u.hash.hex() for u in rs.included()], rs.aggregate_hash.hex()])
        if not out["ok"]:
            return bad(out["reason"], "0x" + out["sha256"] if out["sha256"] else "")
        return Verdict(job_id, round_, True, out["reason"], on_chain, "0x" + out["sha256"],
                       tuple(u.index for u in rs.included()))
    try:
        public_ctx = storage.get(job.context_cid)
    except StorageError as exc:
        return bad(f"cannot fetch the context: {exc}")
    blobs = []
    for u in rs.included():
        try:
            blob = storage.get(u.cid)
        except StorageError as exc:
            return bad(f"update of participant {u.index} ({u.cid}) unavailable: {exc}")
        if blob_hash(blob) != u.hash:
            return bad(f"update of participant {u.index} does not hash to its commitment 0x{u.hash.hex()}")
        blobs.append(blob)
    from workers.he import HEError

    try:
        mine = "0x" + blob_hash(recompute(public_ctx, blobs)).hex()
    except HEError as exc:
        return bad(f"included updates cannot be aggregated: {exc}")
    if mine != on_chain:
        return bad(f"aggregate mismatch: committed {on_chain}, recomputed {mine}", mine)
    return Verdict(job_id, round_, True, "aggregate matches its recomputation", on_chain, mine,
                   tuple(u.index for u in rs.included()))
