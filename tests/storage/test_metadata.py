"""Asset metadata: schemas, builders, validation errors with paths, canonical bytes and their CIDs."""

from __future__ import annotations

import json

import jsonschema
import pytest

from orchestrator.errors import InvalidMetadata
from orchestrator.merkle import commit_records
from orchestrator.metadata import (
    KINDS,
    Column,
    Disclosure,
    Lineage,
    PortfolioEntry,
    build_data_metadata,
    build_model_metadata,
    build_portfolio_metadata,
    canonical_json,
    schema,
    validate,
)
from orchestrator.storage import cid_of_bytes

WEIGHTS = "bafybeiexg2oqkfnj56l7fcmawswqbijt5shq4b5rg6a546uwpkqqzwjioi"


def _data() -> dict:
    tree = commit_records([b"1,a", b"2,b"])
    return build_data_metadata(
        "Iris", "Flower measurements", root=tree.commitment, record_count=tree.leaf_count, kind="csv",
        columns=[Column("id", "int"), Column("label", "category", "species")], target="label",
        disclosure=Disclosure("150 flowers", samples=["1,a"], usage={"jobs": 0}),
        image="ipfs://" + WEIGHTS,
    )


def test_schemas_areDraft2020() -> None:
    for kind in KINDS:
        jsonschema.Draft202012Validator.check_schema(schema(kind))
        assert schema(kind)["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_buildData_isValid() -> None:
    doc = _data()
    assert doc["properties"]["commitment"]["scheme"] == "datacap-poseidon-v1"
    assert doc["properties"]["record_count"] == 2 and "external_url" not in doc
    minimal = build_data_metadata("d", "", root="0x" + "ab" * 32, record_count=1, kind="chunks")
    assert set(minimal["properties"]) == {"kind", "commitment", "record_count"}


def test_buildPortfolio_checksWeights() -> None:
    doc = build_portfolio_metadata("P", "two sets", [PortfolioEntry(1, 6000), PortfolioEntry(2, 4000)])
    assert doc["properties"]["datasets"][1] == {"data_id": 2, "weight_bps": 4000}
    with pytest.raises(InvalidMetadata, match="sum to 9000"):
        build_portfolio_metadata("P", "", [PortfolioEntry(1, 6000), PortfolioEntry(2, 3000)])
    with pytest.raises(InvalidMetadata, match="duplicate"):
        build_portfolio_metadata("P", "", [PortfolioEntry(1, 5000), PortfolioEntry(1, 5000)])


def test_buildModel_isValid() -> None:
    lineage = Lineage(job_id=3, portfolio_id=1, rounds=5, weights_cid=WEIGHTS, metrics={"accuracy": 0.93})
    doc = build_model_metadata("M", "logreg", lineage=lineage, framework="torch", mode="encrypted-fedavg")
    assert doc["properties"]["lineage"]["metrics"] == {"accuracy": 0.93}
    with pytest.raises(InvalidMetadata, match=r"at \$\.properties\.mode"):
        build_model_metadata("M", "", lineage=lineage, framework="torch", mode="magic")
    bad = Lineage(job_id=3, portfolio_id=1, rounds=5, weights_cid="Qmnotv1", metrics={})
    with pytest.raises(InvalidMetadata, match=r"at \$\.properties\.lineage\.weights_cid"):
        build_model_metadata("M", "", lineage=bad, framework="torch", mode="plaintext-fedavg")


@pytest.mark.parametrize(
    "mutate,path",
    [
        (lambda d: d.pop("name"), r"at \$:"),
        (lambda d: d["properties"]["commitment"].update(root="0x12"), r"\$\.properties\.commitment\.root"),
        (lambda d: d["properties"]["schema"]["columns"][1].update(type="blob"),
         r"\$\.properties\.schema\.columns\[1\]\.type"),
        (lambda d: d["properties"].update(record_count=0), r"\$\.properties\.record_count"),
        (lambda d: d.update(extra=1), r"at \$:"),
    ],
)
def test_validate_reportsJsonPath(mutate, path: str) -> None:
    doc = _data()
    mutate(doc)
    with pytest.raises(InvalidMetadata, match=path):
        validate("data", doc)


def test_validate_unknownKind_raises() -> None:
    with pytest.raises(InvalidMetadata, match="unknown metadata kind"):
        validate("token", {})


def test_canonicalJson_isDeterministic() -> None:
    doc = _data()
    shuffled = json.loads(json.dumps(doc))
    shuffled = dict(reversed(list(shuffled.items())))
    assert canonical_json(doc) == canonical_json(shuffled)
    assert b" " not in canonical_json({"a": [1, 2], "b": {"c": "d"}})
    assert canonical_json({"b": 1, "a": "é"}) == '{"a":"é","b":1}'.encode()
    assert cid_of_bytes(canonical_json(doc)) == cid_of_bytes(canonical_json(shuffled))
    with pytest.raises(InvalidMetadata):
        canonical_json({"x": float("nan")})
