"""Typed errors raised by the orchestrator library."""


class DatacapError(Exception):
    """Base class of every error the datacap library raises."""


class StorageError(DatacapError):
    """A storage backend failed to store or return content."""


class StorageUnavailable(StorageError):
    """The storage backend (e.g. the IPFS API) cannot be reached."""


class InvalidCid(StorageError):
    """A string is not a CID this project can handle."""


class CidMismatch(StorageError):
    """Bytes read back do not hash to the CID they were requested by."""


class NotFound(StorageError):
    """The requested content is not in the store."""


class InvalidDataset(DatacapError):
    """A dataset cannot be split into records (malformed CSV, empty, ...)."""


class InvalidMetadata(DatacapError):
    """An asset metadata document does not match its JSON schema."""
