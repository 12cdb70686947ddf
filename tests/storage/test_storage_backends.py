"""The local blockstore and the Kubo RPC client: same CIDs, verified reads, clear errors."""

from __future__ import annotations

import functools
import hashlib
import os
import socket
from pathlib import Path

import pytest
from fake_kubo import FakeKubo
from storage_data import pattern
from test_unixfs import VERIFIED

from orchestrator.errors import CidMismatch, InvalidCid, NotFound, StorageError, StorageUnavailable
from orchestrator.storage import KuboStorage, LocalStorage, open_storage
from orchestrator.storage.kubo import ADD_PARAMS
from orchestrator.storage.unixfs import CHUNK_SIZE as C

CASES = [("mod251", 0), ("mod251", 1), ("mod251", C), ("mod251", C + 1), ("zeros", 175 * C + 5),
         ("mod251", 175 * C + 5)]


@pytest.fixture
def local(tmp_path: Path) -> LocalStorage:
    return LocalStorage(tmp_path / "store")


@functools.cache
def _verified_by_sha256() -> dict[bytes, str]:
    return {hashlib.sha256(pattern(n, s)).digest(): cid for (n, s), cid in VERIFIED.items()
            if s < 4 * C or s == 175 * C + 5}


@pytest.fixture
def kubo():
    fake = FakeKubo(dict(_verified_by_sha256()))
    url = fake.start()
    yield fake, KuboStorage(url, timeout=10)
    fake.stop()


# -- local ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name,size", CASES)
def test_local_addGet_roundTripsWithKuboCid(local: LocalStorage, name: str, size: int) -> None:
    data = pattern(name, size)
    cid = local.add_bytes(data)
    assert cid == VERIFIED[(name, size)]
    assert local.has(cid)
    assert local.get(cid) == data


def test_local_addFile_streamsSameDag(local: LocalStorage, tmp_path: Path) -> None:
    path = tmp_path / "big.bin"
    path.write_bytes(pattern("mod251", 175 * C + 5))
    cid = local.add_file(path)
    assert cid == VERIFIED[("mod251", 175 * C + 5)]
    assert local.get(cid) == path.read_bytes()
    assert len(os.listdir(local.blocks)) == 176 + 3  # raw leaves and dag-pb nodes, no temp files


def test_local_tamperedLeaf_raisesCidMismatch(local: LocalStorage) -> None:
    cid = local.add_bytes(pattern("mod251", 2 * C))
    leaf = next(p for p in local.blocks.iterdir() if p.name.startswith("bafk"))
    raw = leaf.read_bytes()
    leaf.write_bytes(bytes([raw[0] ^ 1]) + raw[1:])
    with pytest.raises(CidMismatch, match=leaf.name):
        local.get(cid)


def test_local_tamperedRoot_raisesCidMismatch(local: LocalStorage) -> None:
    cid = local.add_bytes(b"hello")
    (local.blocks / cid).write_bytes(b"hellO")
    with pytest.raises(CidMismatch):
        local.get(cid)


def test_local_missingBlock_raisesNotFound(local: LocalStorage) -> None:
    cid = local.add_bytes(pattern("mod251", 2 * C))
    next(p for p in local.blocks.iterdir() if p.name.startswith("bafk")).unlink()
    assert local.has(cid)
    with pytest.raises(NotFound):
        local.get(cid)
    with pytest.raises(NotFound):
        local.get(VERIFIED[("zeros", 1)])
    assert not local.has(VERIFIED[("zeros", 1)])


@pytest.mark.parametrize("bad", ["", "not-a-cid", "Qmfoo", "bafy"])
def test_local_invalidCid_raises(local: LocalStorage, bad: str) -> None:
    with pytest.raises(InvalidCid):
        local.get(bad)
    with pytest.raises(InvalidCid):
        local.has(bad)


def test_local_addIsIdempotent(local: LocalStorage) -> None:
    assert local.add_bytes(b"x") == local.add_bytes(b"x")


# -- kubo -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name,size", CASES)
def test_kubo_add_returnsVerifiedCidLikeLocal(kubo, local: LocalStorage, name: str, size: int) -> None:
    fake, client = kubo
    data = pattern(name, size)
    cid = client.add_bytes(data)
    assert cid == VERIFIED[(name, size)] == local.add_bytes(data)
    assert client.get(cid) == data
    assert client.has(cid)


def test_kubo_add_requestShape(kubo) -> None:
    fake, client = kubo
    client.add_bytes(b"\x00")
    req = fake.requests[-1]
    assert req.method == "POST" and req.path == "/api/v0/add"
    assert {k: v[0] for k, v in req.query.items()} == ADD_PARAMS
    assert ADD_PARAMS["cid-version"] == "1" and ADD_PARAMS["raw-leaves"] == "true"
    assert ADD_PARAMS["chunker"] == "size-262144" and ADD_PARAMS["pin"] == "true"
    assert req.content_type.startswith("multipart/form-data; boundary=")
    assert [(name, body) for name, _, body in req.parts] == [("file", b"\x00")]


def test_kubo_addFile_streamsMultipart(kubo, tmp_path: Path) -> None:
    fake, client = kubo
    path = tmp_path / "weights.bin"
    path.write_bytes(pattern("mod251", 3 * C + 7))
    assert client.add_file(path) == VERIFIED[("mod251", 3 * C + 7)]
    req = fake.requests[-1]
    assert req.content_length is not None and req.parts[0][:2] == ("file", "weights.bin")
    assert req.parts[0][2] == path.read_bytes()


def test_kubo_everyCallIsPost(kubo) -> None:
    fake, client = kubo
    cid = client.add_bytes(b"\x00")
    client.get(cid)
    client.has(cid)
    assert [r.method for r in fake.requests] == ["POST"] * 3
    assert [r.path for r in fake.requests] == ["/api/v0/add", "/api/v0/cat", "/api/v0/block/stat"]
    assert fake.requests[1].query["arg"] == [cid]


def test_kubo_tamperedCat_raisesCidMismatch(kubo) -> None:
    fake, client = kubo
    cid = client.add_bytes(pattern("mod251", C + 1))
    fake.tamper = True
    with pytest.raises(CidMismatch, match=cid):
        client.get(cid)


def test_kubo_nodeWithOtherImportRules_raisesCidMismatch(kubo) -> None:
    fake, client = kubo
    data = pattern("mod251", 1)
    fake.table[hashlib.sha256(data).digest()] = VERIFIED[("zeros", C)]
    with pytest.raises(CidMismatch, match="Import"):
        client.add_bytes(data)


def test_kubo_missing_raisesNotFoundAndHasIsFalse(kubo) -> None:
    _, client = kubo
    cid = VERIFIED[("zeros", C)]
    assert not client.has(cid)
    with pytest.raises(NotFound):
        client.get(cid)


def test_kubo_unknownContent_raisesStorageError(kubo) -> None:
    _, client = kubo
    with pytest.raises(StorageError, match="500"):
        client.add_bytes(b"not in the table")


def test_kubo_unreachable_raisesStorageUnavailable() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = KuboStorage(f"http://127.0.0.1:{port}", timeout=2)
    with pytest.raises(StorageUnavailable, match=f"IPFS API at http://127.0.0.1:{port} is not reachable"):
        client.add_bytes(b"x")


def test_kubo_invalidCid_raisesBeforeAnyRequest(kubo) -> None:
    fake, client = kubo
    with pytest.raises(InvalidCid):
        client.get("nope")
    assert fake.requests == []


# -- factory --------------------------------------------------------------------------------------


def test_openStorage_buildsBackends(tmp_path: Path) -> None:
    assert isinstance(open_storage("local", root=tmp_path), LocalStorage)
    kubo = open_storage("kubo", api_url="http://127.0.0.1:5001/")
    assert isinstance(kubo, KuboStorage) and kubo.api_url == "http://127.0.0.1:5001"
    with pytest.raises(StorageError, match="unknown storage backend"):
        open_storage("s3")
    with pytest.raises(StorageError, match="root"):
        open_storage("local")
