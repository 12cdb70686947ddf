"""Secure-aggregation cryptography: pairwise and self masks, Shamir shares, share boxes, share commitments.

Bonawitz et al. (CCS 2017) double masking, our own code on ``cryptography``:

- an owner's per-round *mask secret* becomes an X25519 key; X25519 with a peer's mask key, then
  HKDF-SHA256 bound to (job, round, pair), keys a ChaCha20 keystream that expands to a mask vector
  uniform modulo the plaintext modulus (rejection sampling of masked 32- or 64-bit words: no modular bias,
  no 32-bit seed to brute-force); the lower index adds it, the higher subtracts it, so it cancels in a sum;
- an owner's per-round *self-mask seed* keys another keystream (HKDF bound to (job, round));
- both 31-byte secrets are Shamir-shared t-of-n over GF(2^255 - 19) (a share fits a bytes32);
- each recipient's shares travel in one ChaCha20-Poly1305 box keyed by X25519 of the owners'
  encryption keys (HKDF bound to job, dealer and recipient);
- each share is committed as a leaf of the dealer's Merkle root (OpenZeppelin ``MerkleProof``: sorted pairs,
  leaf = keccak(keccak(abi.encode(job, dealer, round, recipient, kind, share)))), so the chain can check a
  revealed share and that its kind is the one the reveal rule allows.

Pure functions only: no chain, no storage, no clock.
"""
from __future__ import annotations

import hashlib
import secrets as _secrets
from typing import Iterable, Sequence

import numpy as np
import sha3  # safe-pysha3: C Keccak-256, a third of eth_hash's cost per hash (3 x rounds x members per bundle)
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

#: the Shamir field: GF(p), p = 2^255 - 19, so a share is below 2^255 (a bytes32 on chain)
FIELD = 2**255 - 19
#: bytes of a mask secret or self-mask seed (< FIELD as an integer)
SECRET_BYTES = 31
#: share kinds, as SecureAggregation.sol numbers them
MASK_KEY, SELF_SEED = 0, 1
_NONCE = 12


class SecAggError(ValueError):
    """Bad secure-aggregation input: a share, box or key that does not check out."""


def random_secret() -> bytes:
    return _secrets.token_bytes(SECRET_BYTES)


def _hkdf(ikm: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(ikm)


def _ctx(job_id: int, round_: int, *indices: int) -> bytes:
    return job_id.to_bytes(32, "big") + round_.to_bytes(4, "big") + b"".join(i.to_bytes(2, "big") for i in indices)


# --------------------------------------------------------------------------- keys


def x25519_private(secret: bytes, label: bytes = b"datacap/secagg/x25519") -> X25519PrivateKey:
    """The X25519 key a secret stands for (so the 31-byte secret is what gets shared)."""
    return X25519PrivateKey.from_private_bytes(_hkdf(secret, label))


def public_bytes(secret: bytes) -> bytes:
    return raw_public(x25519_private(secret))


def raw_public(private: X25519PrivateKey) -> bytes:
    return private.public_key().public_bytes_raw()


def seed_commitment(seed: bytes) -> bytes:
    """What an owner commits for a self-mask seed (checked after reconstruction)."""
    return hashlib.sha256(b"datacap/secagg/seed" + seed).digest()


def _agree(private: X25519PrivateKey, peer_public: bytes) -> bytes:
    try:
        shared = private.exchange(X25519PublicKey.from_public_bytes(peer_public))
    except ValueError as exc:  # cryptography refuses an all-zero shared secret
        raise SecAggError(f"X25519 with a low-order public key ({exc})") from exc
    if shared == b"\x00" * 32:
        raise SecAggError("X25519 with a low-order public key")
    return shared


# --------------------------------------------------------------------------- mask vectors


def keystream_mod(key: bytes, count: int, modulus: int, stream: int = 0) -> np.ndarray:
    """``count`` values uniform in [0, modulus) from ChaCha20(key) with nonce ``stream`` (independent streams
    under one key, one per segment of a mask domain), as uint64: each little-endian word (32-bit for a modulus
    up to 2^32, else 64-bit) is cut to ``bit_length(modulus - 1)`` bits and kept when below ``modulus`` (so at
    most half are rejected; a power of two rejects none)."""
    if not 2 <= modulus <= 2**64:
        raise SecAggError(f"modulus must be in [2, 2^64], got {modulus}")
    bits = (modulus - 1).bit_length()
    width, dtype = (4, "<u4") if bits <= 32 else (8, "<u8")
    cut = np.uint64((1 << bits) - 1)
    nonce = b"\x00" * 8 + stream.to_bytes(8, "little")  # block counter 0, then the stream number
    enc = Cipher(algorithms.ChaCha20(key, nonce), mode=None).encryptor()
    if modulus == 1 << bits:
        return np.frombuffer(enc.update(bytes(width * count)), dtype).astype(np.uint64, copy=False) & cut
    out, have = [], 0
    while have < count:
        need = count - have
        words = np.frombuffer(enc.update(bytes(width * (need + 64 + need // 8))), dtype)
        words = words.astype(np.uint64, copy=False) & cut
        words = words[words < np.uint64(modulus)]
        out.append(words)
        have += words.size
    return np.concatenate(out)[:count] if out else np.zeros(0, dtype=np.uint64)


def signed_sum(terms: Iterable[tuple[np.ndarray, bool]], count: int, modulus: int) -> np.ndarray:
    """``sum(+-v) mod modulus`` over ``(v, negate)`` terms with entries below the modulus, as uint64.

    A power-of-two modulus wraps in uint64 (exact mod 2^64, hence mod the modulus) and is cut once at the end.
    Any other is reduced only every ``(2^64 - 1) // modulus`` terms: a negated term adds ``modulus - v``, at
    most the modulus, so the unreduced sum never overflows (above 2^63, every term is reduced)."""
    acc = np.zeros(count, dtype=np.uint64)
    if modulus & (modulus - 1) == 0:
        for v, negate in terms:
            (np.subtract if negate else np.add)(acc, v, out=acc)
        return acc & np.uint64(modulus - 1) if modulus < 2**64 else acc
    m, cap, held = np.uint64(modulus), (2**64 - 1) // modulus, 0  # acc <= held * modulus
    for v, negate in terms:
        if cap < 2:
            t = np.where(v == 0, v, m - v) if negate else v
            acc = np.where(acc >= m - t, acc - (m - t), acc + t)
            continue
        if held == cap:
            np.remainder(acc, m, out=acc)
            held = 1
        np.add(acc, m - v if negate else v, out=acc)
        held += 1
    return np.remainder(acc, m, out=acc)


def _pair_stream(private: X25519PrivateKey, peer_public: bytes, job_id: int, round_: int, me: int, peer: int,
                 count: int, modulus: int, stream: int) -> tuple[np.ndarray, bool]:
    """The keystream of the pair (me, peer) and whether ``me`` subtracts it (the higher index does)."""
    lo, hi = min(me, peer), max(me, peer)
    key = _hkdf(_agree(private, peer_public), b"datacap/secagg/pair" + _ctx(job_id, round_, lo, hi))
    return keystream_mod(key, count, modulus, stream), me > peer


def pair_mask(secret: bytes, peer_public: bytes, job_id: int, round_: int, me: int, peer: int,
              count: int, modulus: int, stream: int = 0) -> np.ndarray:
    """The pairwise mask ``me`` adds for ``peer`` (the lower index adds the keystream, the higher its negation)."""
    term = _pair_stream(x25519_private(secret), peer_public, job_id, round_, me, peer, count, modulus, stream)
    return signed_sum([term], count, modulus)


def self_mask(seed: bytes, job_id: int, round_: int, count: int, modulus: int, stream: int = 0) -> np.ndarray:
    return keystream_mod(_hkdf(seed, b"datacap/secagg/self" + _ctx(job_id, round_)), count, modulus, stream)


def owner_mask(me: int, mask_key: X25519PrivateKey, seed: bytes, peers: dict[int, bytes], job_id: int,
               round_: int, count: int, modulus: int, stream: int = 0) -> np.ndarray:
    """What owner ``me`` adds to its update: its self-mask plus a pairwise mask for every peer (``mask_key``: the
    X25519 key of its mask secret for this round; ``peers``: index -> the peer's mask public key)."""
    def terms():
        yield self_mask(seed, job_id, round_, count, modulus, stream), False
        for j, pub in sorted(peers.items()):
            if j != me:
                yield _pair_stream(mask_key, pub, job_id, round_, me, j, count, modulus, stream)
    return signed_sum(terms(), count, modulus)


def residual_mask(included_seeds: dict[int, bytes], dropped_secrets: dict[int, bytes],
                  mask_publics: dict[int, bytes], job_id: int, round_: int, count: int, modulus: int,
                  stream: int = 0) -> np.ndarray:
    """What remains of the masks in a sum over the included owners: their self-masks, plus their pairwise
    masks with each dropped or excluded owner (rebuilt from that owner's side of the key agreement)."""
    def terms():
        for _, seed in sorted(included_seeds.items()):
            yield self_mask(seed, job_id, round_, count, modulus, stream), False
        for d, secret in sorted(dropped_secrets.items()):
            private = x25519_private(secret)
            for i in sorted(included_seeds):
                # included owner i added pair_mask(i -> d), the negation of what d would add for i
                values, d_subtracts = _pair_stream(private, mask_publics[i], job_id, round_, d, i, count, modulus,
                                                   stream)
                yield values, not d_subtracts
    return signed_sum(terms(), count, modulus)


# --------------------------------------------------------------------------- Shamir t-of-n over GF(FIELD)


def share_secret(secret: bytes, xs: Sequence[int], threshold: int) -> dict[int, int]:
    """Shares ``x -> f(x)`` of ``secret`` for the evaluation points ``xs`` (non-zero, distinct)."""
    if not 1 <= threshold <= len(xs):
        raise SecAggError(f"threshold {threshold} out of range for {len(xs)} shares")
    if len(set(xs)) != len(xs) or any(not 0 < x < FIELD for x in xs):
        raise SecAggError("evaluation points must be distinct and non-zero")
    coeffs = [int.from_bytes(secret, "big")] + [_secrets.randbelow(FIELD) for _ in range(threshold - 1)]
    out = {}
    for x in xs:
        y = 0
        for c in reversed(coeffs):
            y = (y * x + c) % FIELD
        out[x] = y
    return out


def combine_shares(shares: dict[int, int]) -> bytes:
    """The secret (Lagrange interpolation at 0) from ``x -> y`` shares; needs ``threshold`` of them."""
    if not shares:
        raise SecAggError("no shares to combine")
    s = 0
    for xi, yi in shares.items():
        num, den = 1, 1
        for xj in shares:
            if xj != xi:
                num = num * xj % FIELD
                den = den * (xj - xi) % FIELD
        s = (s + yi * num * pow(den, -1, FIELD)) % FIELD
    if s >= 1 << (8 * SECRET_BYTES):
        raise SecAggError("shares do not combine to a secret (too few, or inconsistent)")
    return s.to_bytes(SECRET_BYTES, "big")


def share_x(index: int) -> int:
    """The evaluation point of the participant with JobMarket index ``index``."""
    return index + 1


# --------------------------------------------------------------------------- share boxes


def _box_key(my_secret: bytes, peer_public: bytes, job_id: int, dealer: int, recipient: int) -> bytes:
    return _hkdf(_agree(x25519_private(my_secret), peer_public),
                 b"datacap/secagg/box" + _ctx(job_id, 0, dealer, recipient))


def seal_box(enc_secret: bytes, recipient_public: bytes, job_id: int, dealer: int, recipient: int,
             plaintext: bytes) -> bytes:
    nonce = _secrets.token_bytes(_NONCE)
    aad = _ctx(job_id, 0, dealer, recipient)
    return nonce + ChaCha20Poly1305(_box_key(enc_secret, recipient_public, job_id, dealer, recipient)).encrypt(
        nonce, plaintext, aad)


def open_box(enc_secret: bytes, dealer_public: bytes, job_id: int, dealer: int, recipient: int, box: bytes) -> bytes:
    from cryptography.exceptions import InvalidTag

    try:
        return ChaCha20Poly1305(_box_key(enc_secret, dealer_public, job_id, dealer, recipient)).decrypt(
            box[:_NONCE], box[_NONCE:], _ctx(job_id, 0, dealer, recipient))
    except (InvalidTag, ValueError) as exc:
        raise SecAggError(f"share box from participant {dealer} does not open (tampered or wrong key)") from exc


# --------------------------------------------------------------------------- share commitments (Merkle)


def keccak(data: bytes) -> bytes:
    """Keccak-256, as Solidity's keccak256."""
    return sha3.keccak_256(data).digest()


def share_leaf(job_id: int, dealer: str, round_: int, recipient: str, kind: int, share: int) -> bytes:
    # abi.encode of static types is one 32-byte big-endian word each (an address left-padded): packed by hand,
    # 20x faster than eth_abi (an owner hashes rounds x members x 2 leaves per job)
    words = (job_id, int(dealer, 16), round_, int(recipient, 16), kind, share)
    return keccak(keccak(b"".join(w.to_bytes(32, "big") for w in words)))


def _hash_pair(a: bytes, b: bytes) -> bytes:
    return keccak(min(a, b) + max(a, b))


def _parent_level(level: list[bytes]) -> list[bytes]:
    return [_hash_pair(level[k], level[k + 1]) if k + 1 < len(level) else level[k] for k in range(0, len(level), 2)]


def merkle_root(leaves: Sequence[bytes]) -> bytes:
    level = list(leaves)
    if not level:
        raise SecAggError("no leaves")
    while len(level) > 1:
        level = _parent_level(level)
    return level[0]


def merkle_proof(leaves: Sequence[bytes], position: int) -> list[bytes]:
    """Sibling hashes from leaf ``position`` up (an odd node is promoted: no sibling at that level)."""
    level, pos, proof = list(leaves), position, []
    while len(level) > 1:
        sib = pos ^ 1
        if sib < len(level):
            proof.append(level[sib])
        level = _parent_level(level)
        pos //= 2
    return proof


def verify_proof(proof: Iterable[bytes], root: bytes, leaf: bytes) -> bool:
    h = leaf
    for p in proof:
        h = _hash_pair(h, p)
    return h == root
