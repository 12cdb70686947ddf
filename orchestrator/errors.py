"""Expected failures of the orchestrator: one base class, one line of text each.

The CLI catches :class:`DatacapError` at the top and prints ``error: <message>``;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class DatacapError(Exception):
    """Base of every expected failure; ``str(err)`` is one line meant for a user."""

    exit_code = 1

    def __str__(self) -> str:  # one line, whatever was passed in
        text = super().__str__()
        return " ".join(text.split()) if text else type(self).__name__


class ConfigError(DatacapError):
    """A setting is missing or malformed."""


class KeystoreError(DatacapError):
    """An account is missing, exists already, or its password is wrong."""


class ServiceError(DatacapError):
    """An embedded service (Anvil, Redis) failed to start or stop."""


class BrokerLost(ServiceError):
    """The Celery broker (Redis) stopped answering while tasks were being sent or awaited."""


class ChainUnavailable(DatacapError):
    """No JSON-RPC node answers at the configured URL."""


class ChainUnreachable(ChainUnavailable):
    """The node at the configured URL does not answer (refused, reset, timed out): it may come back."""


class DeploymentError(DatacapError):
    """No deployment for this chain, a stale one, or one that would be overwritten."""


class ContractRevert(DatacapError):
    """A transaction or call reverted; the message names the decoded custom error."""

    def __init__(self, message: str, *, error: str | None = None, args: dict | None = None):
        super().__init__(message)
        self.error = error
        self.error_args = args or {}


class InsufficientFunds(DatacapError):
    """The sending account cannot pay for gas plus value."""


class NotFound(DatacapError):
    """A file, token, CID, record or stored content does not exist."""


class StorageError(DatacapError):
    """A storage backend failed to store or return content."""


class StorageUnavailable(StorageError):
    """The storage backend (e.g. the IPFS API) cannot be reached."""


class InvalidCid(StorageError):
    """A string is not a CID this project can handle."""


class CidMismatch(StorageError):
    """Bytes read back do not hash to the CID they were requested by."""


class InvalidDataset(DatacapError):
    """A dataset cannot be split into records (malformed CSV, empty, ...)."""


class InvalidMetadata(DatacapError):
    """An asset metadata document does not match its JSON schema."""


class InvalidInput(DatacapError):
    """Input data (a file, a CSV, an argument) is malformed."""
