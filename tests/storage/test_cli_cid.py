"""`datacap ipfs cid FILE` prints exactly Kubo's CIDv1, from empty files to multi-level DAGs."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from storage_data import pattern
from test_unixfs import VERIFIED

from orchestrator.cli import cli

# every verified size below the 8 GB deep tree: empty, one chunk, chunk boundaries, > 174 chunks (two levels)
CASES = sorted(k for k in VERIFIED if k[1] < 100 * 1024 * 1024)


@pytest.mark.parametrize("name,size", CASES)
def test_ipfs_cid_prints_kubo_cid(tmp_path, name, size):
    f = tmp_path / f"{name}-{size}.bin"
    f.write_bytes(pattern(name, size))
    res = CliRunner().invoke(cli, ["--data-dir", str(tmp_path / "d"), "ipfs", "cid", str(f)])
    assert res.exit_code == 0, res.stderr
    assert res.stdout.strip() == VERIFIED[(name, size)]


def test_ipfs_cid_of_missing_file_is_one_line_error(tmp_path):
    res = CliRunner().invoke(cli, ["--data-dir", str(tmp_path / "d"), "ipfs", "cid", str(tmp_path / "nope.bin")])
    assert res.exit_code != 0
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
