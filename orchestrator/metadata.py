"""ERC-721 metadata JSON of $Data, $Portfolio and $Model tokens: build, validate, canonical bytes."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import jsonschema

from orchestrator.errors import InvalidMetadata

KINDS = ("data", "portfolio", "model")
BPS = 10_000
COMMITMENT_SCHEME = "datacap-poseidon-v1"


@dataclass(frozen=True)
class Column:
    """One column of a disclosed dataset schema (``type``: int, float, bool, string, category,
    datetime or bytes)."""

    name: str
    type: str
    description: str | None = None


@dataclass(frozen=True)
class Disclosure:
    """What a data owner chooses to reveal about a dataset that stays local."""

    abstract: str
    samples: Sequence[str] = ()
    usage: Mapping[str, int] | None = None


@dataclass(frozen=True)
class PortfolioEntry:
    """A $Data token in a portfolio and its weight in basis points (the weights sum to 10,000)."""

    data_id: int
    weight_bps: int


@dataclass(frozen=True)
class Lineage:
    """Where a $Model comes from: its training job, portfolio, rounds, weights and metrics.

    ``per_round`` holds the trainer's evaluation after each round (``{"round": 1, "accuracy": .., "loss": ..}``),
    which the dApp draws as a chart.
    """

    job_id: int
    portfolio_id: int
    rounds: int
    weights_cid: str
    metrics: Mapping[str, float] = field(default_factory=dict)
    per_round: Sequence[Mapping[str, float]] = ()


@cache
def schema(kind: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a metadata kind: ``data``, ``portfolio`` or ``model``."""
    if kind not in KINDS:
        raise InvalidMetadata(f"unknown metadata kind {kind!r} (expected one of {', '.join(KINDS)})")
    text = resources.files("orchestrator").joinpath("schemas", f"{kind}.schema.json").read_text()
    return json.loads(text)


def validate(kind: str, doc: Mapping[str, Any]) -> None:
    """Check ``doc`` against the schema of ``kind``; raises InvalidMetadata naming the JSON path."""
    validator = jsonschema.Draft202012Validator(schema(kind))
    error = jsonschema.exceptions.best_match(validator.iter_errors(doc))
    if error is not None:
        path = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        raise InvalidMetadata(f"{kind} metadata is invalid at {path}: {error.message}")
    if kind == "portfolio":
        datasets = doc["properties"]["datasets"]
        total = sum(d["weight_bps"] for d in datasets)
        if total != BPS:
            raise InvalidMetadata(
                f"portfolio metadata is invalid at $.properties.datasets: weights sum to {total}, not {BPS}"
            )
        ids = [d["data_id"] for d in datasets]
        if len(set(ids)) != len(ids):
            raise InvalidMetadata("portfolio metadata is invalid at $.properties.datasets: duplicate data_id")


def canonical_json(doc: Mapping[str, Any]) -> bytes:
    """Deterministic bytes of ``doc`` (sorted keys, compact, UTF-8), so its CID is reproducible."""
    try:
        text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidMetadata(f"metadata is not canonical JSON: {exc}") from None
    return text.encode("utf-8")


def _document(
    kind: str, name: str, description: str, properties: dict[str, Any],
    image: str | None, external_url: str | None,
) -> dict[str, Any]:
    doc: dict[str, Any] = {"name": name, "description": description, "properties": properties}
    if image is not None:
        doc["image"] = image
    if external_url is not None:
        doc["external_url"] = external_url
    validate(kind, doc)
    return doc


def build_data_metadata(
    name: str,
    description: str,
    *,
    root: str,
    record_count: int,
    kind: str,
    columns: Sequence[Column] | None = None,
    target: str | None = None,
    disclosure: Disclosure | None = None,
    image: str | None = None,
    external_url: str | None = None,
) -> dict[str, Any]:
    """Metadata of a $Data token.

    Parameters
    ----------
    root:
        The dataset commitment (``MerkleTree.commitment``, 0x-prefixed bytes32 hex).
    record_count:
        Number of committed records (``MerkleTree.leaf_count``).
    kind:
        How records were split: ``csv``, ``dir`` or ``chunks`` (see ``merkle.load_records``).
    columns, target:
        Optional disclosed schema: the columns and the label column.
    disclosure:
        Optional abstract, sample records and usage statistics.
    """
    props: dict[str, Any] = {
        "kind": kind,
        "commitment": {"root": root.lower(), "scheme": COMMITMENT_SCHEME},
        "record_count": record_count,
    }
    if columns is not None:
        cols = []
        for col in columns:
            entry = {"name": col.name, "type": col.type}
            if col.description is not None:
                entry["description"] = col.description
            cols.append(entry)
        props["schema"] = {"columns": cols}
        if target is not None:
            props["schema"]["target"] = target
    if disclosure is not None:
        disc: dict[str, Any] = {"abstract": disclosure.abstract}
        if disclosure.samples:
            disc["samples"] = list(disclosure.samples)
        if disclosure.usage is not None:
            disc["usage"] = dict(disclosure.usage)
        props["disclosure"] = disc
    return _document("data", name, description, props, image, external_url)


def build_portfolio_metadata(
    name: str,
    description: str,
    datasets: Sequence[PortfolioEntry],
    *,
    image: str | None = None,
    external_url: str | None = None,
) -> dict[str, Any]:
    """Metadata of a $Portfolio token; ``datasets`` weights must sum to 10,000 bps."""
    entries = [{"data_id": d.data_id, "weight_bps": d.weight_bps} for d in datasets]
    return _document("portfolio", name, description, {"datasets": entries}, image, external_url)


def build_model_metadata(
    name: str,
    description: str,
    *,
    lineage: Lineage,
    framework: str,
    mode: str,
    image: str | None = None,
    external_url: str | None = None,
) -> dict[str, Any]:
    """Metadata of a $Model token.

    Parameters
    ----------
    lineage:
        Job, portfolio, rounds, weights CID and evaluation metrics.
    framework:
        Training framework, e.g. ``torch`` or ``sklearn``.
    mode:
        ``encrypted-model``, ``encrypted-fedavg``, ``plaintext-fedavg`` or ``joint-statistics``.
    """
    props = {
        "lineage": {
            "job_id": lineage.job_id,
            "portfolio_id": lineage.portfolio_id,
            "rounds": lineage.rounds,
            "weights_cid": lineage.weights_cid,
            "metrics": dict(lineage.metrics),
            **({"per_round": [dict(r) for r in lineage.per_round]} if lineage.per_round else {}),
        },
        "framework": framework,
        "mode": mode,
    }
    return _document("model", name, description, props, image, external_url)
