"""README's walkthrough, run literally, twice in a row in the same folder (a fresh chain each time).

Only the environment differs from a user's shell: free ports for Anvil and Redis (DATACAP_RPC_URL,
DATACAP_REDIS_PORT), so the test never meets another process on 8545/6379.
"""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from orchestrator.services import free_port

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def walkthrough() -> str:
    text = (ROOT / "README.md").read_text()
    match = re.search(r"<!-- walkthrough -->\n```bash\n(.*?)```", text, re.S)
    assert match, "README.md lost its <!-- walkthrough --> block"
    return match.group(1)


def test_readme_walkthrough_twice_in_a_row(tmp_path):
    script = walkthrough()
    env = {**os.environ, "PATH": f"{ROOT / 'node_modules' / '.bin'}:{os.environ['PATH']}", "PYTHONPATH": str(ROOT),
           "DATACAP_RPC_URL": f"http://127.0.0.1:{free_port()}", "DATACAP_REDIS_PORT": str(free_port())}
    env.pop("DATACAP_PASSWORD", None)  # the one password rule: dev accounts need none
    for attempt in (1, 2):
        res = subprocess.run(["bash", "-e", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                             timeout=900)
        if res.returncode != 0:
            subprocess.run(["bash", "-c", "datacap chain down"], cwd=tmp_path, env=env, capture_output=True)
        assert res.returncode == 0, f"run {attempt}:\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}"
        assert "executed" in res.stdout and "finalized" in res.stdout
        assert "Traceback" not in res.stderr
