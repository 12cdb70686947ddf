"""Secure aggregation of a job's updates, between the chain (SecureAggregation), the store and the crypto.

An owner keeps its secrets (one X25519 encryption secret per job; per round a mask secret and a self-mask
seed) in a 0600 file under its own data dir, commits the public halves, deals Shamir shares of every round's
secrets to the key holders in a bundle (one box per recipient, the share leaves in clear), masks its
update (any mode) before publishing it, and after the aggregate reveals, per member, the share the rule allows.
Anyone can then rebuild the needed secrets from the revealed shares (each checked against its commitment)
and remove what is left of the masks from the aggregate: :func:`unmask_aggregate`.
"""
from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from orchestrator import secagg
from orchestrator.metadata import canonical_json
from orchestrator.secagg import MASK_KEY, SELF_SEED, SecAggError

log = logging.getLogger(__name__)

CONTRACT = "SecureAggregation"


class BundleRejected(SecAggError):
    """A dealer's share bundle does not match its on-chain commitments (tampered or malformed)."""


class SharesMissing(SecAggError):
    """Too few revealed shares (or shares that do not rebuild the committed key) to unmask an aggregate."""


def enabled(chain) -> bool:
    """Whether this deployment has SecureAggregation (every deployment of the full suite does)."""
    return CONTRACT in chain.deployment.contracts


def bits(mask: int) -> list[int]:
    return [i for i in range(256) if mask >> i & 1]


# --------------------------------------------------------------------------- an owner's secrets


@dataclass(frozen=True)
class OwnerSecrets:
    enc: bytes
    masks: tuple[bytes, ...]  # round r at r - 1
    seeds: tuple[bytes, ...]

    @classmethod
    def load_or_create(cls, directory: Path, chain_id: int, job_id: int, me: str, rounds: int) -> "OwnerSecrets":
        """The owner's secrets for a job, created once (0600 from the start) and kept under its data dir."""
        path = Path(directory) / f"{chain_id}-{job_id}-{me.lower()}.json"
        if path.is_file():
            d = json.loads(path.read_text())
            return cls(bytes.fromhex(d["enc"]), tuple(map(bytes.fromhex, d["masks"])),
                       tuple(map(bytes.fromhex, d["seeds"])))
        s = cls(secagg.random_secret(), tuple(secagg.random_secret() for _ in range(rounds)),
                tuple(secagg.random_secret() for _ in range(rounds)))
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump({"enc": s.enc.hex(), "masks": [m.hex() for m in s.masks], "seeds": [x.hex() for x in s.seeds]},
                      fh)
        tmp.replace(path)
        return s

    @functools.cached_property
    def _mask_keys(self) -> dict[int, X25519PrivateKey]:
        return {}

    def mask_key(self, round_: int) -> X25519PrivateKey:
        """Round ``round_``'s mask secret as an X25519 key, derived once per instance (loading a key is a scalar
        multiplication): the commitment and the round's masks share it."""
        if round_ not in self._mask_keys:
            self._mask_keys[round_] = secagg.x25519_private(self.masks[round_ - 1])
        return self._mask_keys[round_]

    def commitment(self) -> tuple[bytes, list[bytes], list[bytes]]:
        """(encPub, maskPubs, seedCommits) as SecureAggregation.commitKeys takes them."""
        rounds = range(1, len(self.masks) + 1)
        return (secagg.public_bytes(self.enc), [secagg.raw_public(self.mask_key(r)) for r in rounds],
                [secagg.seed_commitment(x) for x in self.seeds])


# --------------------------------------------------------------------------- what the chain holds


@dataclass(frozen=True)
class KeyRecord:
    index: int
    owner: str
    enc_pub: bytes
    mask_pubs: tuple[bytes, ...]
    seed_commits: tuple[bytes, ...]


@dataclass(frozen=True)
class Setup:
    keys_closed: bool
    sealed: bool
    threshold: int
    key_bits: int
    share_bits: int
    members: int
    shares_deadline: int


def setup_of(chain, job_id: int) -> Setup:
    s = chain.call(f"{CONTRACT}.setupOf", job_id)
    return Setup(s["keysClosed"], s["isSealed"], s["threshold"], s["keyBits"], s["shareBits"], s["members"],
                 s["sharesDeadline"])


def keys_of(chain, job_id: int) -> dict[int, KeyRecord]:
    return {e.args["index"]: KeyRecord(e.args["index"], e.args["owner"], bytes(e.args["encPub"]),
                                       tuple(map(bytes, e.args["maskPubs"])), tuple(map(bytes, e.args["seedCommits"])))
            for e in chain.events(CONTRACT, "KeysCommitted", jobId=job_id)}


def share_commitments(chain, job_id: int) -> dict[int, tuple[bytes, str, bytes]]:
    """dealer index -> (bundle sha256, bundle CID, share root)."""
    return {e.args["index"]: (bytes(e.args["bundleHash"]), e.args["cid"], bytes(e.args["shareRoot"]))
            for e in chain.events(CONTRACT, "SharesCommitted", jobId=job_id)}


def commit_keys(chain, job_id: int, secrets: OwnerSecrets):
    enc, masks, seeds = secrets.commitment()
    return chain.transact(f"{CONTRACT}.commitKeys", job_id, enc, masks, seeds)


# --------------------------------------------------------------------------- share bundles


def _leaf_order(rounds: int, recipients: list[int]) -> list[tuple[int, int, int]]:
    return [(r, j, kind) for r in range(1, rounds + 1) for j in recipients for kind in (MASK_KEY, SELF_SEED)]


def make_bundle(job_id: int, me: KeyRecord, secrets: OwnerSecrets, keys: dict[int, KeyRecord],
                threshold: int) -> tuple[bytes, bytes]:
    """(bundle bytes, share root): shares of every round's mask secret and seed for every key holder."""
    recipients = sorted(keys)
    xs = [secagg.share_x(j) for j in recipients]
    rounds = len(secrets.masks)
    shares = {}  # (round, recipient, kind) -> share
    for r in range(1, rounds + 1):
        for kind, secret in ((MASK_KEY, secrets.masks[r - 1]), (SELF_SEED, secrets.seeds[r - 1])):
            for j, y in zip(recipients, secagg.share_secret(secret, xs, threshold).values()):
                shares[r, j, kind] = y
    leaves = [secagg.share_leaf(job_id, me.owner, r, keys[j].owner, kind, shares[r, j, kind])
              for r, j, kind in _leaf_order(rounds, recipients)]
    boxes = {}
    for j in recipients:
        plain = b"".join(shares[r, j, kind].to_bytes(32, "big") for r in range(1, rounds + 1)
                         for kind in (MASK_KEY, SELF_SEED))
        boxes[str(j)] = secagg.seal_box(secrets.enc, keys[j].enc_pub, job_id, me.index, j, plain).hex()
    doc = {"job": job_id, "dealer": me.index, "rounds": rounds, "recipients": recipients,
           "leaves": [x.hex() for x in leaves], "boxes": boxes}
    return canonical_json(doc), secagg.merkle_root(leaves)


@dataclass(frozen=True)
class OpenedBundle:
    dealer: int
    leaves: tuple[bytes, ...]
    order: tuple[tuple[int, int, int], ...]
    shares: dict  # (round, kind) -> my share

    def proof(self, round_: int, recipient: int, kind: int) -> list[bytes]:
        return secagg.merkle_proof(self.leaves, self.order.index((round_, recipient, kind)))


def open_bundle(job_id: int, blob: bytes, commitment: tuple[bytes, str, bytes], dealer: KeyRecord, me: KeyRecord,
                enc_secret: bytes) -> OpenedBundle:
    """Check a dealer's bundle against its on-chain hash and root, open my box, check my shares are its leaves."""
    bundle_hash, cid, root = commitment
    if hashlib.sha256(blob).digest() != bundle_hash:
        raise BundleRejected(f"bundle {cid} of participant {dealer.index} does not match its on-chain hash")
    try:
        doc = json.loads(blob)
        leaves = tuple(bytes.fromhex(x) for x in doc["leaves"])
        order = tuple(_leaf_order(int(doc["rounds"]), [int(j) for j in doc["recipients"]]))
        box = bytes.fromhex(doc["boxes"][str(me.index)])
    except (ValueError, KeyError, TypeError) as exc:
        raise BundleRejected(f"bundle of participant {dealer.index} is malformed ({exc})") from exc
    if len(leaves) != len(order) or secagg.merkle_root(leaves) != root:
        raise BundleRejected(f"bundle of participant {dealer.index} does not match its on-chain share root")
    plain = secagg.open_box(enc_secret, dealer.enc_pub, job_id, dealer.index, me.index, box)
    rounds = len(dealer.mask_pubs)
    if len(plain) != 64 * rounds:
        raise BundleRejected(f"box of participant {dealer.index} holds {len(plain)} bytes, expected {64 * rounds}")
    shares = {}
    for k, (r, kind) in enumerate((r, kind) for r in range(1, rounds + 1) for kind in (MASK_KEY, SELF_SEED)):
        y = int.from_bytes(plain[32 * k:32 * k + 32], "big")
        leaf = secagg.share_leaf(job_id, dealer.owner, r, me.owner, kind, y)
        if (r, me.index, kind) not in order or leaves[order.index((r, me.index, kind))] != leaf:
            raise BundleRejected(f"share of participant {dealer.index} (round {r}) is not its committed leaf")
        shares[r, kind] = y
    return OpenedBundle(dealer.index, leaves, order, shares)


def reveal_entries(job_id: int, round_: int, included_bits: int, setup: Setup, opened: dict[int, OpenedBundle],
                   me: int) -> list[tuple[int, int, list[bytes]]]:
    """(dealer, share, proof) for each member whose bundle opened: the seed share of an included member, the
    mask-key share of any other -- the rule SecureAggregation enforces."""
    out = []
    for d in bits(setup.members):
        if d not in opened:
            continue
        kind = SELF_SEED if included_bits >> d & 1 else MASK_KEY
        out.append((d, opened[d].shares[round_, kind], opened[d].proof(round_, me, kind)))
    return out


# --------------------------------------------------------------------------- masks


def over(dom, make) -> np.ndarray:
    """A mask over every segment of the mask domain ``dom``: ``make(count, modulus, stream=k)`` for segment k
    (its own keystream, so segments are independent), concatenated in payload order."""
    return np.concatenate([make(count, modulus, stream=k) for k, (count, modulus) in enumerate(dom.segments)])


def mask_update(public_ctx: bytes, blob: bytes, job_id: int, round_: int, me: int, secrets: OwnerSecrets,
                members: list[int], keys: dict[int, KeyRecord]) -> bytes:
    """The owner's update blob with its self-mask and its pairwise masks with every other member added."""
    from workers import he

    peers = {j: keys[j].mask_pubs[round_ - 1] for j in members if j != me}
    mask = over(he.mask_domain(public_ctx, blob), lambda count, modulus, stream: secagg.owner_mask(
        me, secrets.mask_key(round_), secrets.seeds[round_ - 1], peers, job_id, round_, count, modulus, stream))
    return he.add_mask(public_ctx, blob, mask)


def revealed_shares(chain, job_id: int, round_: int) -> dict[tuple[int, int], dict[int, int]]:
    """(dealer, kind) -> {evaluation point: share} from the round's SharesRevealed events."""
    keys = keys_of(chain, job_id)
    index_of = {k.owner: i for i, k in keys.items()}
    out: dict[tuple[int, int], dict[int, int]] = {}
    for e in chain.events(CONTRACT, "SharesRevealed", jobId=job_id, round=round_):
        x = secagg.share_x(index_of[e.args["revealer"]])
        for d, kind, y in zip(e.args["dealers"], e.args["kinds"], e.args["shares"]):
            out.setdefault((d, kind), {})[x] = y
    return out


def _rebuild(shares: dict[int, int], threshold: int, check, what: str) -> bytes:
    if len(shares) < threshold:
        raise SharesMissing(f"{what}: {len(shares)} share(s) revealed, {threshold} needed")
    secret = secagg.combine_shares(dict(sorted(shares.items())[:threshold]))
    if not check(secret):
        raise SharesMissing(f"{what}: the revealed shares do not rebuild the committed key (a bad dealer)")
    return secret


def residual(chain, job_id: int, round_: int, included_bits: int, dom) -> np.ndarray:
    """What is left of the masks in the round's aggregate (mask domain ``dom``), rebuilt from the revealed
    shares."""
    s = setup_of(chain, job_id)
    keys = keys_of(chain, job_id)
    revealed = revealed_shares(chain, job_id, round_)
    included = [i for i in bits(s.members) if included_bits >> i & 1]
    dropped = [i for i in bits(s.members) if not included_bits >> i & 1]
    seeds = {i: _rebuild(revealed.get((i, SELF_SEED), {}), s.threshold,
                         lambda x, i=i: secagg.seed_commitment(x) == keys[i].seed_commits[round_ - 1],
                         f"self-mask seed of participant {i}") for i in included}
    secrets = {d: _rebuild(revealed.get((d, MASK_KEY), {}), s.threshold,
                           lambda x, d=d: secagg.public_bytes(x) == keys[d].mask_pubs[round_ - 1],
                           f"mask key of participant {d}") for d in dropped}
    publics = {i: keys[i].mask_pubs[round_ - 1] for i in included}
    return over(dom, lambda count, modulus, stream: secagg.residual_mask(seeds, secrets, publics, job_id, round_,
                                                                         count, modulus, stream))


def unmask_aggregate(chain, public_ctx: bytes, aggregate: bytes, job_id: int, round_: int,
                     included_bits: int) -> bytes:
    """The aggregate without masks (what the unmasked protocol would have summed), from on-chain reveals.
    Deterministic: anyone with the public context can recompute it."""
    from workers import he

    return he.add_mask(public_ctx, aggregate,
                       residual(chain, job_id, round_, included_bits, he.mask_domain(public_ctx, aggregate)),
                       subtract=True)
