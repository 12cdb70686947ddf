"""The interface every scheme implements, and the loaded context it works on.

The public functions of :mod:`workers.he` frame, check and dispatch; a :class:`Scheme` only turns
values into a payload and back. A scheme also names its **mask domain**: the ring in which
secure aggregation adds pairwise masks to an owner's ciphertext (``add_mask``) so that the masks
cancel exactly in the sum and the aggregate decrypts as if no mask had been added.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from .errors import HEError


@dataclass
class HEContext:
    """A loaded context: parameters, the scheme that reads them, and its SEAL/TenSEAL objects."""

    mode: str
    params: dict
    fingerprint: bytes  # sha256 of the public envelope
    has_secret: bool
    impl: "Scheme" = None
    ts_ctx: Any = None  # TenSEAL context (stats, encrypted-model)
    seal_ctx: Any = None  # seal.SEALContext (fedavg)
    public_key: Any = None
    secret_key: Any = None
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def scheme(self) -> str:
        return self.params["scheme"]

    @property
    def slots(self) -> int:
        return self.impl.slots(self.params)

    @property
    def per_ciphertext(self) -> int:
        """Number of values one ciphertext carries."""
        return self.impl.per_ciphertext(self.params)


@dataclass(frozen=True)
class MaskDomain:
    """Where secure-aggregation masks of a blob live: ``segments``, runs of ``(count, modulus)`` in payload
    order; a mask is, per segment, ``count`` values in ``[0, modulus)``, one per coefficient of a
    ciphertext's first polynomial c0. Masks summing to 0 mod each segment's modulus over the included owners
    cancel exactly.

    fedavg ``ckks`` (2^32 format): one segment, ``modulus == q == 2^32``, the mask is added to the words;
    ``bfv-packed``: one segment, ``modulus`` is the plaintext modulus t (the mask is a plaintext polynomial
    mod t, added to c0 scaled by ``q / t``), ``q`` the ciphertext modulus; TenSEAL CKKS vectors (``stats``,
    ``encrypted-model``): one segment per RNS prime q_j of each ciphertext's level, added to c0 mod q_j.
    """

    segments: tuple[tuple[int, int], ...]
    q: int | None = None

    @property
    def count(self) -> int:
        return sum(c for c, _ in self.segments)

    @property
    def modulus(self) -> int:
        """The one modulus of a single-modulus domain (fedavg)."""
        (m,) = {m for _, m in self.segments}
        return m


class Scheme:
    """One homomorphic scheme: parameters, keys, payload format, sum, decryption, masking."""

    name = ""
    word_bytes = 8  # bytes per stored ciphertext coefficient
    #: the payload of a sum is the word-wise sum mod 2^32 of the payloads (so are the checksums)
    linear = False

    # -- parameters and keys --
    def make_params(self, mode: str, n_params: int | None, options: dict) -> dict:
        raise NotImplementedError

    def smallest(self, degrees, n_params: int, options: dict, make) -> dict:
        """The parameters, among ``make(options, poly_degree=N)`` for each N in ``degrees``, whose
        ciphertexts for ``n_params`` values (plus the weight) are smallest (ties: the larger N)."""
        best = None
        for n in sorted(degrees, reverse=True):
            try:
                p = make(**options, poly_degree=n)
            except HEError:
                continue
            size = -(-(int(n_params) + 1) // self.per_ciphertext(p)) * 2 * n * self.word_bytes
            if best is None or size < best[0]:
                best = (size, p)
        if best is None:
            raise HEError(f"no {self.name} fedavg parameters fit {options}")
        return best[1]

    def expected_params(self, params: dict) -> dict:
        """The parameters ``params`` must equal (a loaded context is recomputed, never trusted)."""
        raise NotImplementedError

    def keygen(self, params: dict) -> tuple[list[bytes], bytes]:
        """``(public sections, secret-key section)``."""
        raise NotImplementedError

    def load(self, hc: HEContext, sections: list[bytes]) -> None:
        """Build ``hc``'s objects from its sections (the secret key is the last section when present)."""
        raise NotImplementedError

    # -- format --
    def slots(self, params: dict) -> int:
        raise NotImplementedError

    def per_ciphertext(self, params: dict) -> int:
        raise NotImplementedError

    def check_payload(self, hc: HEContext, h, payload) -> None:
        """Raise ``CiphertextRejected`` unless ``payload`` holds the ciphertexts header ``h`` announces."""
        raise NotImplementedError

    def add(self, hc: HEContext, n_ct: int, payloads: Sequence, out=None) -> bytes | None:
        """The payload of the sum of ``payloads`` (each already checked); deterministic. A linear scheme
        writes it into the writable buffer ``out`` instead when one is given."""
        raise NotImplementedError

    # -- fedavg --
    def encrypt_update(self, hc: HEContext, clipped: np.ndarray, weight: float, seed: int | None
                       ) -> tuple[int, bytes]:
        """``(n_ct, payload)`` for ``weight * clipped`` followed by ``weight`` itself."""
        raise NotImplementedError

    def decrypt_sum(self, hc: HEContext, n_values: int, n_ct: int, payload) -> tuple[np.ndarray, float]:
        raise NotImplementedError

    # -- secure aggregation --
    def mask_domain(self, hc: HEContext, n_ct: int, payload) -> MaskDomain:
        raise NotImplementedError

    def add_mask(self, hc: HEContext, n_ct: int, payload, mask: np.ndarray, subtract: bool) -> bytes:
        raise NotImplementedError
