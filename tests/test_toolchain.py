"""The pinned offline toolchain: one solc for forge, slither and py-solc-x; abi/ complete."""

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WRAPPER = ROOT / "tools" / "solc"
ISSUE2_CONTRACTS = ["CapToken", "DataNFT", "PortfolioNFT", "ModelNFT", "ModelMarket", "Evaluations", "AccessRegistry"]


@pytest.mark.parametrize("name", ISSUE2_CONTRACTS)
def test_abi_has_contract_with_bytecode(name):
    art = json.loads((ROOT / "abi" / f"{name}.json").read_text())
    assert art["abi"], f"{name} has an empty ABI"
    assert art["bytecode"].startswith("0x") and len(art["bytecode"]) > 100


def test_py_solc_x_compiles_through_the_wrapper():
    solcx = pytest.importorskip("solcx")
    source = "// SPDX-License-Identifier: MIT\npragma solidity 0.8.28;\ncontract A { uint256 public x = 7; }\n"
    out = solcx.compile_standard(
        {
            "language": "Solidity",
            "sources": {"A.sol": {"content": source}},
            "settings": {"outputSelection": {"*": {"*": ["abi", "evm.bytecode.object"]}}},
        },
        solc_binary=str(WRAPPER),
    )
    assert out["contracts"]["A.sol"]["A"]["evm"]["bytecode"]["object"]


def test_wrapper_reports_the_pinned_version():
    import subprocess

    version = subprocess.run([str(WRAPPER), "--version"], capture_output=True, text=True, check=True).stdout
    pinned = json.loads((ROOT / "node_modules" / "solc" / "package.json").read_text())["version"]
    assert f"Version: {pinned}+commit" in version



def test_foundry_profiles_target_shanghai():
    """Ganache 7.9 stops at shanghai: cancun-only opcodes (MCOPY, TSTORE) break it."""
    import tomllib

    profiles = tomllib.loads((ROOT / "foundry.toml").read_text())["profile"]
    assert {name: p.get("evm_version") for name, p in profiles.items()} == {name: "shanghai" for name in profiles}
