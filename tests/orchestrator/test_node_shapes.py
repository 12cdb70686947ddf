"""Revert data in every node's JSON-RPC error shape, found by the one decode place (chain.revert_data)."""

import pytest

from orchestrator.chain import AbiRegistry, revert_data
from orchestrator.config import PROJECT_ROOT

DATA = "0x" + "08c379a0" + "00" * 31 + "20" + "00" * 31 + "04" + "6e6f706500000000" + "00" * 24  # Error("nope")


@pytest.mark.parametrize("node, error", [
    ("anvil", {"code": 3, "message": "execution reverted: nope", "data": DATA}),
    ("geth", {"code": 3, "message": "execution reverted", "data": DATA}),
    ("hardhat", {"code": -32603, "message": "Error: VM Exception", "data": {"message": "revert", "data": DATA}}),
    ("ganache-7", {"code": -32000, "message": "VM Exception while processing transaction: revert nope",
                   "data": {"hash": None, "programCounter": 1, "result": DATA, "reason": "nope", "message": "revert"}}),
    ("ganache-6", {"code": -32000, "message": "VM Exception", "data": {"0xabc": {"error": "revert", "return": DATA}}}),
])
def test_revert_data_of_every_node(node, error):
    assert revert_data(error) == DATA
    text, name, args = AbiRegistry(PROJECT_ROOT / "abi").decode_error(revert_data(error), "X")
    assert (text, name, args) == ("X.revert: nope", "Error", {"message": "nope"})


def test_no_revert_data():
    assert revert_data({"code": -32000, "message": "nonce too low"}) is None
    assert revert_data({"code": -32000, "message": "x", "data": "0xzz"}) is None
