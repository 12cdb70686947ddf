"""Expected failures: one `error: ...` line on stderr, a non-zero exit, and nothing changed on chain."""

from __future__ import annotations

import pytest

from orchestrator import merkle, services


@pytest.fixture
def minted(admin):
    return lambda: admin.call("DataNFT.totalMinted")


def test_missing_file(env, minted):
    before = minted()
    line = env.fails("data", "register", str(env.work / "nope.csv"), account="dev1")
    assert "nope.csv" in line and minted() == before


def test_malformed_csv(env, minted, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text('a,b\n1,2\n3,"unterminated\n')
    before = minted()
    line = env.fails("data", "register", str(bad), account="dev1")
    assert "bad.csv" in line and minted() == before


def test_wrong_cid(env):
    assert env.fails("ipfs", "get", "not-a-cid", account=None).startswith("error: ")
    missing = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"
    assert env.fails("ipfs", "get", missing, account=None).startswith("error: ")


def test_unknown_token_id(env):
    line = env.fails("data", "show", "999999", account=None)
    assert "DataNFT.UnknownData(tokenId=999999)" in line
    assert "UnknownPortfolio" in env.fails("portfolio", "show", "999999", account=None)


def test_rpc_down(env, csv_file):
    down = f"http://127.0.0.1:{services.free_port()}"
    line = env.fails("data", "register", str(csv_file), account="dev1", rpc_url=down)
    assert line == f"error: no JSON-RPC node answers at {down}"


def test_key_without_funds(env, csv_file, minted):
    res = env.run("account", "create", "pauper", account=None)
    assert res.code == 0, res.stderr
    before = minted()
    line = env.fails("data", "register", str(csv_file), account="pauper")
    assert "holds 0 ETH" in line and minted() == before


def test_revert_is_decoded(env, csv_file, minted, register):
    data_id = register(csv_file, "dev1")
    before = minted()
    line = env.fails("data", "register", str(csv_file), account="dev2")
    assert "DataNFT.DuplicateCommitment(commitment=0x" in line and "existingTokenId=" in line
    assert minted() == before
    line = env.fails("portfolio", "create", f"{data_id}", "--weights", "9000", account="dev3")
    assert "weights '9000' must be basis points between 0 and 10000 that sum to 10000" in line


def test_missing_role_is_decoded(env):
    line = env.fails("model", "mint", "--portfolio", "1", "--weights-cid",
                     "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy", account="dev9")
    assert "AccessControlUnauthorizedAccount(" in line and "neededRole=MINTER_ROLE" in line


def test_unknown_account_and_bad_amount(env, csv_file):
    assert "no account named 'ghost'" in env.fails("data", "register", str(csv_file), account="ghost")
    assert "not a number of CAP" in env.fails("stake", "deposit", "curator", "lots", account="dev1")


def test_max_leaf_count_is_the_tree_depth(admin):
    """DataNFT refuses what the depth-DEPTH possession tree cannot prove; both sides say the same."""
    assert admin.call("DataNFT.MAX_LEAF_COUNT") == merkle.MAX_LEAVES
