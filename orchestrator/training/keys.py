"""The trainer's HE keys: generated locally, secret context kept in the trainer's data dir by fingerprint."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from orchestrator.errors import NotFound


def fingerprint(public_ctx: bytes) -> str:
    return hashlib.sha256(public_ctx).hexdigest()


class KeyStore:
    """``<dir>/<public fingerprint>.secret``: the secret context never leaves this directory."""

    def __init__(self, directory: Path):
        self.dir = Path(directory)

    def generate(self, mode: str, **options) -> bytes:
        """Make a key pair, keep the secret half here, return the public context."""
        from workers import he  # the trainer's own process: keys are generated where they stay

        secret, public = he.generate_keys(mode, **options)
        self.dir.mkdir(parents=True, exist_ok=True)
        path = self.dir / f"{fingerprint(public)}.secret"
        tmp = path.with_suffix(".tmp")
        # created 0600: the secret is never readable by others, not even between write and chmod
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(secret)
        tmp.replace(path)
        return public

    def secret_for(self, public_ctx: bytes) -> bytes:
        path = self.dir / f"{fingerprint(public_ctx)}.secret"
        if not path.is_file():
            raise NotFound(f"no secret context for public context {fingerprint(public_ctx)[:16]}... in {self.dir}")
        return path.read_bytes()
