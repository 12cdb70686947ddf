"""The page's Poseidon (decision 2) against circomlibjs, in node and in chromium."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from dapp_support import HERE


def _node(*args: str) -> dict:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is missing (it comes with the npm toolchain of `make setup`)")
    out = subprocess.run([node, str(HERE / "poseidon_vectors.mjs"), *args], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    return json.loads(out.stdout.splitlines()[-1])


def test_page_poseidon_matches_circomlibjs_for_2_and_16_inputs_and_the_commitment_rules():
    result = _node()
    assert result["failures"] == [] and result["checked"] >= 40


def test_chromium_computes_the_same_poseidon_commitment_as_node(page, dapp_server, tmp_path):
    path = tmp_path / "vitals.csv"
    path.write_text("age,pulse\n" + "".join(f"{20 + i},{55 + i % 17}\n" for i in range(40)))
    want = _node(str(path))["commitment"]
    page.goto(dapp_server.url)
    got = page.evaluate("""async (text) => {
        const m = await import('/src/commitment.mjs');
        return (await m.commitFile('datacap-poseidon-v1', 'vitals.csv', new TextEncoder().encode(text))).commitment;
    }""", path.read_text())
    assert got == want
