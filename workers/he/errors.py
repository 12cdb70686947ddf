"""The errors every homomorphic operation raises (bad input: never transient, never retried)."""
from __future__ import annotations


class HEError(ValueError):
    """Bad input to a homomorphic operation (never transient: do not retry)."""


class ContextRejected(HEError):
    """A context envelope is malformed, of the wrong kind, or leaks a secret key."""


class CiphertextRejected(HEError):
    """A ciphertext blob is malformed, garbled, or made under another context or length.

    ``index`` is the position of the offending blob in an :func:`workers.he.aggregate` call (None
    when a single blob was checked).
    """

    def __init__(self, message: str, index: int | None = None):
        # args stay (message, index): Celery rebuilds a task's exception from them on the caller's side
        super().__init__(*((message,) if index is None else (message, index)))
        self.reason, self.index = message, index

    def __str__(self) -> str:
        return self.reason if self.index is None else f"blob {self.index}: {self.reason}"
