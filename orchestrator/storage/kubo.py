"""Storage through the Kubo RPC API (POST-only HTTP), with every CID checked locally."""

from __future__ import annotations

import io
import json
import os
import uuid
from pathlib import Path
from typing import Any, BinaryIO

import requests

from orchestrator.errors import CidMismatch, NotFound, StorageError, StorageUnavailable
from orchestrator.storage import unixfs
from orchestrator.storage.base import Storage
from orchestrator.storage.unixfs import Cid

DEFAULT_API_URL = "http://127.0.0.1:5001"

#: Query parameters of /api/v0/add that pin Kubo's import to the rules unixfs.py reproduces.
ADD_PARAMS = {
    "cid-version": "1",
    "raw-leaves": "true",
    "chunker": f"size-{unixfs.CHUNK_SIZE}",
    "hash": "sha2-256",
    "pin": "true",
    "quieter": "true",
}


class _MultipartFile:
    """A streamed ``multipart/form-data`` body holding one part named ``file``.

    It has a length, so requests sends it with a Content-Length instead of reading it into memory.
    """

    def __init__(self, stream: BinaryIO, size: int, filename: str) -> None:
        self.boundary = uuid.uuid4().hex
        safe_name = filename.replace('"', "_").replace("\r", "_").replace("\n", "_")
        self._head = (
            f"--{self.boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{safe_name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        self._tail = f"\r\n--{self.boundary}--\r\n".encode()
        self._stream = stream
        self._size = size
        self._parts: list[bytes | BinaryIO] = [self._head, stream, self._tail]
        self.len = len(self._head) + size + len(self._tail)

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def __len__(self) -> int:
        return self.len

    def read(self, n: int = -1) -> bytes:
        out = bytearray()
        while self._parts and (n < 0 or len(out) < n):
            part = self._parts[0]
            want = -1 if n < 0 else n - len(out)
            if isinstance(part, bytes):
                take = part if want < 0 else part[:want]
                out += take
                rest = part[len(take) :]
                if rest:
                    self._parts[0] = rest
                else:
                    self._parts.pop(0)
            else:
                piece = part.read(want if want >= 0 else -1)
                if piece:
                    out += piece
                else:
                    self._parts.pop(0)
        return bytes(out)


class KuboStorage(Storage):
    """A Kubo node's RPC API (``/api/v0``): add, cat and block stat, all over POST.

    Parameters
    ----------
    api_url:
        Base URL of the RPC API, e.g. ``http://127.0.0.1:5001``.
    timeout:
        Seconds to wait for a connection and for each read from the node.
    session:
        A ``requests.Session`` to reuse (headers, auth of a pinning service); one is made if None.

    Notes
    -----
    The CID Kubo answers ``add`` with is compared with the one computed locally, and the bytes
    ``cat`` returns are hashed back to the CID asked for: a node configured with other import
    rules, or a lying gateway, raises ``CidMismatch``.
    """

    def __init__(
        self,
        api_url: str = DEFAULT_API_URL,
        timeout: float = 60.0,
        session: requests.Session | None = None,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.timeout = timeout
        self.session = session or requests.Session()

    def __repr__(self) -> str:
        return f"KuboStorage({self.api_url!r})"

    def settings(self) -> dict:
        return {"backend": "kubo", "api_url": self.api_url, "timeout": self.timeout}

    def _post(self, command: str, params: dict[str, str], **kwargs: Any) -> requests.Response:
        url = f"{self.api_url}/api/v0/{command}"
        try:
            response = self.session.post(url, params=params, timeout=self.timeout, **kwargs)
        except (requests.ConnectionError, requests.Timeout):
            raise StorageUnavailable(f"IPFS API at {self.api_url} is not reachable") from None
        if response.status_code != 200:
            message = _error_message(response)
            if "not found" in message.lower():
                raise NotFound(f"IPFS API {command}: {message}")
            raise StorageError(f"IPFS API {command} failed ({response.status_code}): {message}")
        return response

    def _add(self, stream: BinaryIO, size: int, filename: str, expected: str) -> str:
        body = _MultipartFile(stream, size, filename)
        response = self._post(
            "add", ADD_PARAMS, data=body, headers={"Content-Type": body.content_type}
        )
        lines = [line for line in response.text.splitlines() if line.strip()]
        try:
            cid = json.loads(lines[-1])["Hash"]
        except (IndexError, ValueError, KeyError, TypeError):
            raise StorageError(f"IPFS API add returned no CID: {response.text[:200]!r}") from None
        if cid != expected:
            raise CidMismatch(
                f"IPFS node stored the content as {cid} but Kubo's defaults give {expected};"
                " check the node's Import.* settings"
            )
        return cid

    def add_bytes(self, data: bytes) -> str:
        return self._add(io.BytesIO(data), len(data), "data", unixfs.cid_of_bytes(data))

    def add_file(self, path: str | os.PathLike[str]) -> str:
        expected = unixfs.cid_of_file(path)
        with open(path, "rb") as stream:
            return self._add(stream, os.fstat(stream.fileno()).st_size, Path(path).name, expected)

    def get(self, cid: str) -> bytes:
        parsed = Cid.parse(cid)
        data = self._post("cat", {"arg": str(parsed)}).content
        actual = unixfs.cid_of_bytes(data)
        if actual != str(parsed):
            raise CidMismatch(f"IPFS API returned bytes for {parsed} that hash to {actual}")
        return data

    def has(self, cid: str) -> bool:
        parsed = Cid.parse(cid)
        try:
            self._post("block/stat", {"arg": str(parsed), "offline": "true"})
        except NotFound:
            return False
        return True


def _error_message(response: requests.Response) -> str:
    try:
        return str(response.json().get("Message", "")) or response.reason
    except ValueError:
        return response.text.strip()[:200] or response.reason
