"""Dataset possession challenges (DESIGN §5): challenge, answer with a zero-knowledge proof, slash the silent."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from orchestrator import merkle
from orchestrator.actions import ensure_allowance
from orchestrator.chain import Chain, TxResult
from orchestrator.errors import InvalidDataset, NotFound
from orchestrator.zk import prover

CONTRACT = "PossessionChallenges"


class LocalDatasets:
    """Which local path holds each of this party's $Data, per chain (``<data dir>/datasets.json``).

    The chain only knows a dataset's commitment; proving possession needs the records themselves,
    so the owner's orchestrator remembers where they live.
    """

    def __init__(self, data_dir: Path):
        self.path = Path(data_dir) / "datasets.json"
        self.trees = Path(data_dir) / "trees"
        """Where built Poseidon trees are cached, by record content (see ``merkle.commit_records``)."""

    def _load(self) -> dict:
        return json.loads(self.path.read_text()) if self.path.exists() else {}

    def remember(self, chain_id: int, data_id: int, dataset: str | Path) -> None:
        doc = self._load()
        doc.setdefault(str(chain_id), {})[str(data_id)] = str(Path(dataset).resolve())
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(doc, indent=1, sort_keys=True))
        os.replace(tmp, self.path)  # atomic: a crash never leaves half a registry

    def path_of(self, chain_id: int, data_id: int) -> Path | None:
        found = self._load().get(str(chain_id), {}).get(str(data_id))
        return Path(found) if found else None


@dataclass(frozen=True)
class ChallengeAnswer:
    challenge_id: int
    data_id: int
    indices: list[int]
    tx: TxResult

    def as_dict(self) -> dict:
        out = asdict(self)
        out["tx"] = self.tx.as_dict()
        return out


def open_challenge(chain: Chain, data_id: int) -> tuple[int, TxResult]:
    """Challenge a $Data, posting the deposit; returns the challenge id."""
    ensure_allowance(chain, CONTRACT, chain.call(f"{CONTRACT}.challengeDeposit"))
    tx = chain.transact(f"{CONTRACT}.challenge", data_id)
    return tx.event("Challenged").args["challengeId"], tx


def answer_challenge(chain: Chain, challenge_id: int, dataset: str | Path,
                     cache_dir: str | Path | None = None) -> ChallengeAnswer:
    """Answer a challenge with a Groth16 proof that this machine holds the records it names.

    The records never leave this machine: only the proof goes on chain. Raises ``InvalidDataset`` when
    the local records no longer match the on-chain commitment (no proof exists then), ``ProverError``
    when snarkjs fails. ``cache_dir`` keeps the dataset's Poseidon tree between answers.
    """
    challenge = chain.call(f"{CONTRACT}.challengeOf", challenge_id)
    data_id = challenge["dataId"]
    indices = list(chain.call(f"{CONTRACT}.challengedIndices", challenge_id))
    records = merkle.load_records(Path(dataset))
    tree = merkle.commit_records(records, cache_dir)
    on_chain = "0x" + bytes(chain.call("DataNFT.commitmentOf", data_id)).hex()
    if tree.commitment != on_chain.lower():
        raise InvalidDataset(f"{dataset} commits to {tree.commitment}, but $Data #{data_id} commits to {on_chain}")
    binding = chain.call(f"{CONTRACT}.challengeBinding", challenge_id)
    proof = prover.prove_possession(tree, records, indices, binding)
    tx = chain.transact(f"{CONTRACT}.respond", challenge_id, proof.as_solidity())
    return ChallengeAnswer(challenge_id, data_id, indices, tx)


def slash_unanswered(chain: Chain, challenge_id: int) -> TxResult:
    """After the deadline of an unanswered challenge, slash the owner's data mortgage."""
    return chain.transact(f"{CONTRACT}.slashUnanswered", challenge_id)


def local_dataset_for(chain: Chain, registry: LocalDatasets, data_id: int) -> Path:
    """The local path of one of this party's datasets, or a clear error."""
    found = registry.path_of(chain.chain_id, data_id)
    if found is None:
        raise NotFound(f"$Data #{data_id} is not one of this machine's datasets (see `datacap data register`)")
    return found


class ChallengeResponder:
    """Listener plug-in: queue an answer for every challenge against this party's own datasets.

    The handler only writes an outbox row (in the block's transaction); ``dispatch`` answers once the
    challenge's seed block is mined. An answer already on chain (a crash after sending) closes the
    challenge, so a re-send is skipped rather than repeated.
    """

    KIND = "answer-challenge"

    def __init__(self, chain: Chain, registry: LocalDatasets):
        self.chain = chain
        self.registry = registry

    def attach(self, listener) -> None:
        listener.register(CONTRACT, "Challenged", self.on_challenged)

    def on_challenged(self, event, ctx) -> None:
        data_id = event.args["dataId"]
        mine = event.args["owner"].lower() == self.chain.address_of_signer().lower()
        if mine and self.registry.path_of(self.chain.chain_id, data_id) is not None:
            challenge_id = event.args["challengeId"]
            ctx.outbox(f"{self.KIND}:{self.chain.chain_id}:{challenge_id}", self.KIND,
                       {"challenge_id": challenge_id, "data_id": data_id})

    def send(self, row) -> None:
        """Outbox sender: answer the challenge, unless it is closed already; raises while the seed is unmined."""
        if row.kind != self.KIND:
            return
        challenge_id = row.payload["challenge_id"]
        if self.chain.call(f"{CONTRACT}.challengeOf", challenge_id)["closed"]:
            return
        path = local_dataset_for(self.chain, self.registry, row.payload["data_id"])
        answer_challenge(self.chain, challenge_id, path, self.registry.trees)
