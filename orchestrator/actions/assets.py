"""Data owners and curators: register datasets ($Data), disclose, bundle them into portfolios."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from orchestrator.chain import Chain, TxResult
from orchestrator.errors import InvalidInput, NotFound
from orchestrator.storage.unixfs import CODEC_RAW, parse_cid

BPS = 10_000


@dataclass(frozen=True)
class DatasetCommitment:
    path: str
    root: str
    records: int
    kind: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class DataInfo:
    token_id: int
    owner: str
    commitment: str
    metadata_cid: str
    token_uri: str
    leaf_count: int
    price_per_use: int

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Registration:
    token_id: int
    commitment: DatasetCommitment
    metadata_cid: str
    metadata: dict
    tx: TxResult

    def as_dict(self) -> dict:
        return {"token_id": self.token_id, "commitment": self.commitment.as_dict(), "metadata_cid": self.metadata_cid,
                "metadata": self.metadata, "tx": self.tx.as_dict()}


@dataclass(frozen=True)
class PortfolioInfo:
    portfolio_id: int
    curator: str
    data_ids: list[int]
    weights_bps: list[int]
    frozen: bool
    token_uri: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ModelInfo:
    model_id: int
    owner: str
    lineage: dict = field(default_factory=dict)
    token_uri: str = ""
    price: int = 0
    evaluations: int = 0
    average_score: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


# --- datasets ------------------------------------------------------------------------------------


def _existing(path: str | Path) -> Path:
    p = Path(path)
    if not p.exists():
        raise NotFound(f"no such file or directory: {p}")
    return p


def commit_dataset(path: str | Path, cache_dir: Path | None = None) -> DatasetCommitment:
    """Poseidon commitment over a dataset's records (a CSV/JSONL file or a directory of files).

    ``cache_dir`` keeps built trees by content (see ``merkle.commit_records``).
    """
    from orchestrator import merkle

    p = _existing(path)
    kind = "dir" if p.is_dir() else "csv" if p.suffix.lower() == ".csv" else "chunks"
    tree = merkle.commit_records(merkle.load_records(p, kind), cache_dir)
    return DatasetCommitment(str(p), tree.commitment, tree.leaf_count, kind)


def build_data_metadata(commitment: DatasetCommitment, *, name: str, description: str) -> dict:
    """ERC-721 metadata of a $Data (validated against the data schema)."""
    from orchestrator import metadata

    return metadata.build_data_metadata(name, description, root=commitment.root, record_count=commitment.records,
                                        kind=commitment.kind)


def _put_json(storage, doc: dict) -> str:
    from orchestrator.metadata import canonical_json

    return storage.add_bytes(canonical_json(doc))


def metadata_digest(cid: str) -> bytes:
    """The 32-byte digest DataNFT stores for a metadata CID; its ``tokenURI`` rebuilds the CID from it.

    Only a single raw block (``bafkrei...``: a document under 256 KiB, as ``ipfs add --cid-version 1`` stores
    it) can be rebuilt from its digest alone.
    """
    parsed = parse_cid(cid)
    if parsed.codec != CODEC_RAW:
        raise InvalidInput(f"metadata {cid} is not a single raw block (keep the document under 256 KiB)")
    return parsed.digest


def register_dataset(chain: Chain, storage, path: str | Path, *, name: str | None = None, description: str = "",
                     price: int = 0, cache_dir: Path | None = None) -> Registration:
    """Commit locally, build + validate metadata, put it in IPFS, mint the $Data with its record count. The
    data stays here."""
    commitment = commit_dataset(path, cache_dir)
    root = bytes.fromhex(commitment.root[2:])
    # let the contract refuse a duplicate or an empty dataset, decoded, before anything is stored
    chain.call("DataNFT.mint", root, commitment.records, b"\x01" * 32, (price,))
    doc = build_data_metadata(commitment, name=name or Path(path).name, description=description)
    cid = _put_json(storage, doc)
    tx = chain.transact("DataNFT.mint", root, commitment.records, metadata_digest(cid), (price,))
    token_id = tx.event("DataRegistered").args["tokenId"]
    return Registration(token_id, commitment, cid, doc, tx)


def disclose(chain: Chain, storage, token_id: int, *, abstract: str | None = None, schema: dict | list | None = None,
             samples: list | None = None, usage: dict | None = None) -> tuple[str, TxResult]:
    """Publish new disclosure metadata: the current document plus abstract / schema / samples / usage."""
    from orchestrator import metadata

    info = show_data(chain, token_id)
    doc = json.loads(storage.get(info.metadata_cid))
    props = doc.setdefault("properties", {})
    disclosure = dict(props.get("disclosure", {}))
    if abstract is not None:
        disclosure["abstract"] = abstract
    if samples is not None:
        disclosure["samples"] = [s if isinstance(s, str) else json.dumps(s) for s in samples]
    if usage is not None:
        disclosure["usage"] = usage
    if disclosure:
        disclosure.setdefault("abstract", "")
        props["disclosure"] = disclosure
    if schema is not None:
        props["schema"] = {"columns": schema} if isinstance(schema, list) else schema
    metadata.validate("data", doc)
    cid = _put_json(storage, doc)
    return cid, chain.transact("DataNFT.updateDisclosure", token_id, metadata_digest(cid))


def show_data(chain: Chain, token_id: int) -> DataInfo:
    commitment = chain.call("DataNFT.commitmentOf", token_id)  # reverts UnknownData, decoded
    lic = chain.call("DataNFT.licenseOf", token_id)
    return DataInfo(
        token_id,
        chain.call("DataNFT.ownerOf", token_id),
        "0x" + bytes(commitment).hex(),
        chain.call("DataNFT.metadataCidOf", token_id),
        chain.call("DataNFT.tokenURI", token_id),
        int(chain.call("DataNFT.leafCountOf", token_id)),
        int(lic["pricePerUse"]),
    )


def list_data(chain: Chain, owner: str | None = None) -> list[DataInfo]:
    items = [show_data(chain, i) for i in range(1, chain.call("DataNFT.totalMinted") + 1)]
    return [d for d in items if owner is None or d.owner.lower() == owner.lower()]


# --- portfolios ----------------------------------------------------------------------------------


def parse_weights(data_ids: list[int], weights: list[int] | None) -> list[int]:
    """Weights in bps; none given -> equal split (remainder on the first)."""
    if not data_ids:
        raise InvalidInput("a portfolio needs at least one $Data id")
    if not weights:
        share = BPS // len(data_ids)
        return [share + BPS - share * len(data_ids)] + [share] * (len(data_ids) - 1)
    if len(weights) != len(data_ids):
        raise InvalidInput(f"{len(data_ids)} datasets but {len(weights)} weights")
    return list(weights)


def create_portfolio(chain: Chain, storage, data_ids: list[int], weights: list[int] | None = None, *,
                     name: str = "", description: str = "") -> tuple[int, str, TxResult]:
    weights = parse_weights(data_ids, weights)
    from orchestrator import metadata

    chain.call("PortfolioNFT.create", data_ids, weights, "-")  # the contract's verdict first, decoded, for free
    doc = metadata.build_portfolio_metadata(
        name or f"portfolio of {len(data_ids)} datasets", description,
        [metadata.PortfolioEntry(d, w) for d, w in zip(data_ids, weights)],
    )
    cid = _put_json(storage, doc) if storage is not None else "-"
    tx = chain.transact("PortfolioNFT.create", data_ids, weights, cid)
    return tx.event("PortfolioComposed").args["portfolioId"], cid, tx


def show_portfolio(chain: Chain, portfolio_id: int) -> PortfolioInfo:
    ids, weights = chain.call("PortfolioNFT.compositionOf", portfolio_id)
    return PortfolioInfo(
        portfolio_id,
        chain.call("PortfolioNFT.ownerOf", portfolio_id),
        list(ids),
        list(weights),
        chain.call("PortfolioNFT.isFrozen", portfolio_id),
        chain.call("PortfolioNFT.tokenURI", portfolio_id),
    )


def list_portfolios(chain: Chain, curator: str | None = None) -> list[PortfolioInfo]:
    items = [show_portfolio(chain, i) for i in range(1, chain.call("PortfolioNFT.totalMinted") + 1)]
    return [p for p in items if curator is None or p.curator.lower() == curator.lower()]


# --- models --------------------------------------------------------------------------------------


def mint_model(chain: Chain, trainer: str, *, job_id: int, portfolio_id: int, rounds: int, weights_cid: str,
               metrics_hash: bytes = b"\x00" * 32, metadata_cid: str = "-") -> tuple[int, TxResult]:
    """Mint a $Model (MINTER_ROLE only: JobMarket, or an account the admin granted it)."""
    tx = chain.transact("ModelNFT.mint", trainer, (job_id, portfolio_id, rounds, metrics_hash, weights_cid),
                        metadata_cid)
    return tx.event("ModelMinted").args["modelId"], tx


def show_model(chain: Chain, model_id: int) -> ModelInfo:
    lineage = chain.call("ModelNFT.lineageOf", model_id)
    lineage = {k: ("0x" + v.hex() if isinstance(v, bytes) else v) for k, v in lineage.items()}
    deployed = chain.deployment.contracts
    return ModelInfo(
        model_id,
        chain.call("ModelNFT.ownerOf", model_id),
        lineage,
        chain.call("ModelNFT.tokenURI", model_id),
        chain.call("ModelMarket.priceOf", model_id) if "ModelMarket" in deployed else 0,
        chain.call("Evaluations.evaluationCount", model_id) if "Evaluations" in deployed else 0,
        chain.call("Evaluations.averageScore", model_id) if "Evaluations" in deployed else 0,
    )


def list_models(chain: Chain) -> list[ModelInfo]:
    return [show_model(chain, i) for i in range(1, chain.call("ModelNFT.totalMinted") + 1)]
