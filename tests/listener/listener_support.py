"""Listener test helpers: a live Anvil, a tiny event-emitting contract, a domain handler."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from pathlib import Path

from web3 import Web3

from orchestrator.services import ANVIL_HARDFORK

ROOT = Path(__file__).resolve().parents[2]
ANVIL = ROOT / "node_modules" / ".bin" / "anvil"
SOLC = ROOT / "tools" / "solc"

EMITTER_SOURCE = """// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

contract Emitter {
    event Pinged(uint256 indexed id, address indexed sender, bytes32 tag, string note);
    event Ponged(uint256 indexed id);

    function ping(uint256 id, bytes32 tag, string calldata note) external {
        emit Pinged(id, msg.sender, tag, note);
    }

    function pingMany(uint256 start, uint256 n) external {
        for (uint256 i; i < n; ++i) emit Pinged(start + i, msg.sender, bytes32(start + i), "");
    }

    function pong(uint256 id) external {
        emit Ponged(id);
    }
}
"""


def compile_emitter() -> dict:
    """ABI and bytecode of `Emitter`, compiled with the project's solcjs wrapper."""
    import solcx

    out = solcx.compile_standard(
        {
            "language": "Solidity",
            "sources": {"Emitter.sol": {"content": EMITTER_SOURCE}},
            "settings": {"outputSelection": {"*": {"*": ["abi", "evm.bytecode.object"]}}},
        },
        solc_binary=str(SOLC),
    )
    c = out["contracts"]["Emitter.sol"]["Emitter"]
    return {"abi": c["abi"], "bytecode": c["evm"]["bytecode"]["object"]}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_anvil() -> tuple[subprocess.Popen, str]:
    """Start Anvil on a free port (automine on; extra blocks come from evm_mine)."""
    port = free_port()
    proc = subprocess.Popen(
        [str(ANVIL), "--port", str(port), "--hardfork", ANVIL_HARDFORK, "--silent"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    w3 = Web3(Web3.HTTPProvider(url))
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            w3.eth.block_number
            return proc, url
        except Exception:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("anvil did not start")


def deploy(w3: Web3, artifact: dict):
    factory = w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
    tx = factory.constructor().transact({"from": w3.eth.accounts[0]})
    receipt = w3.eth.wait_for_transaction_receipt(tx)
    return w3.eth.contract(address=receipt.contractAddress, abi=artifact["abi"])


def mine(w3: Web3, n: int = 1) -> None:
    for _ in range(n):
        w3.provider.make_request("evm_mine", [])


def ping(emitter, event_id: int, note: str = "") -> None:
    """One Pinged event in its own (automined) block."""
    w3 = emitter.w3
    tx = emitter.functions.ping(event_id, event_id.to_bytes(32, "big"), note).transact(
        {"from": w3.eth.accounts[0]}
    )
    w3.eth.wait_for_transaction_receipt(tx)


def ping_many(emitter, start: int, n: int) -> None:
    """`n` Pinged events in one transaction, hence one block."""
    w3 = emitter.w3
    tx = emitter.functions.pingMany(start, n).transact({"from": w3.eth.accounts[0]})
    w3.eth.wait_for_transaction_receipt(tx)


def reorg(emitter, depth: int, replacement_ids: list[int]) -> None:
    """`anvil_reorg`: replace the last `depth` blocks, one ping per replacement id."""
    w3 = emitter.w3
    sender = w3.eth.accounts[0]
    txs = []
    for offset, event_id in enumerate(replacement_ids):
        data = emitter.functions.ping(event_id, event_id.to_bytes(32, "big"), "replacement")
        built = data.build_transaction({"from": sender, "gas": 200_000})
        txs.append([{"from": sender, "to": emitter.address, "data": built["data"]}, offset])
    res = w3.provider.make_request("anvil_reorg", [depth, txs])
    assert "error" not in res, res


SIDE_EFFECTS = """
CREATE TABLE IF NOT EXISTS side_effects (
    rowid_ INTEGER PRIMARY KEY AUTOINCREMENT,
    event_uid TEXT NOT NULL,
    ping_id INTEGER NOT NULL
)"""


def record_side_effect(ev, ctx) -> None:
    """The domain handler of the tests: a local row plus an outbox row, both in ctx's transaction.

    `side_effects` deliberately has no unique constraint: a repeated event would show up twice.
    """
    ctx.conn.execute(SIDE_EFFECTS)
    ping_id = int(ev.args["id"])
    ctx.conn.execute(
        "INSERT INTO side_effects (event_uid, ping_id) VALUES (?, ?)", (ev.uid, ping_id)
    )
    ctx.outbox(f"train:{ev.uid}", "train", {"ping_id": ping_id, "tag": ev.args["tag"]})


def side_effect_ids(conn) -> list[int]:
    conn.execute(SIDE_EFFECTS)
    return sorted(r[0] for r in conn.execute("SELECT ping_id FROM side_effects"))


def write_artifact(path: Path, artifact: dict, address: str) -> None:
    path.write_text(json.dumps({"abi": artifact["abi"], "address": address}))


def worker_env(**kw) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    env.update({k: str(v) for k, v in kw.items()})
    return env
