"""The new user's bad inputs: each ends in one `error:` line, a non-zero exit, and an unchanged chain
(block number, balances and allowances) and store."""

from __future__ import annotations

import contextlib
import http.server
import json
import threading

import pytest

from orchestrator import services

DEV1 = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
CID = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"


@pytest.fixture
def unchanged(admin, addr):
    """Asserts, after the block, that no block was mined and no ETH/CAP balance or CAP allowance moved."""

    def snapshot():
        accounts = [addr(f"dev{i}") for i in range(4)]
        spenders = [admin.address(n) for n in ("Staking", "JobMarket", "Governance", "ModelMarket")]
        return (admin.block_number(), [admin.balance(a) for a in accounts],
                [admin.call("CapToken.balanceOf", a) for a in accounts],
                [admin.call("CapToken.allowance", a, sp) for a in accounts for sp in spenders])

    @contextlib.contextmanager
    def check():
        before = snapshot()
        yield
        assert snapshot() == before

    return check


@pytest.mark.parametrize("price, words", [
    ("1e80", "too large"),
    ("340282366920938463464", "too large"),
    ("inf", "not a finite number"),
    ("nan", "not a finite number"),
    ("0.0000000000000000001", "more than 18 decimals"),
    ("-1", "negative"),
    ("lots", "not a number of CAP"),
])
def test_bad_price(env, csv_file, unchanged, price, words):
    with unchanged():
        line = env.fails("data", "register", str(csv_file), "--price", price, account="dev1")
    assert line.startswith("error: --price: amount") and words in line


def test_bad_stake_amount(env, unchanged):
    with unchanged():
        assert "too large" in env.fails("stake", "deposit", "curator", "1e60", account="dev1")


def test_bad_budget(env, unchanged):
    with unchanged():
        assert "--budget" in env.fails("job", "create", "1", "--budget", "inf", account="dev1")


def test_bad_weights(env, unchanged):
    with unchanged():
        line = env.fails("portfolio", "create", "1,2", "--weights", "12000,-2000", account="dev1")
    assert "between 0 and 10000 that sum to 10000" in line


def test_negative_duration(env, unchanged):
    with unchanged():
        line = env.fails("access", "approve", "1", "--duration=-5d", account="dev1")
    assert "--duration" in line and "not a positive duration" in line


@pytest.mark.parametrize("args", [
    ("access", "status", "1", "0x1234"),
    ("rewards", "show", "0xZZZ"),
    ("referendum", "propose", "regulator", "notanaddress"),
    ("stake", "status", "curator", "--address", "0x70997970c51812dc3a010c7d01b50e0d17dc79c9".upper()),
])
def test_bad_address(env, unchanged, args):
    with unchanged():
        assert "is not an address" in env.fails(*args, account="dev1")


def test_deploy_bad_treasury_mines_nothing(env, unchanged):
    before = env.settings.deployment_file(31337).read_text()
    with unchanged():
        assert "is not an address" in env.fails("deploy", "--force", "--treasury", "0xabc")
    assert env.settings.deployment_file(31337).read_text() == before


def test_rpc_url_not_a_url(env):
    line = env.fails("chain", "advance", "--blocks", "1", rpc_url="notaurl")
    assert line == "error: rpc url 'notaurl' is not a URL (e.g. http://127.0.0.1:8545)"


def test_rpc_url_not_a_chain(env):
    port = services.free_port()
    server = http.server.HTTPServer(("127.0.0.1", port), _QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        line = env.fails("data", "list", account=None, rpc_url=f"http://127.0.0.1:{port}")
    finally:
        server.shutdown()
    assert "is not a JSON-RPC node" in line


def test_worker_and_job_run_with_redis_down(env, unchanged):
    down = f"redis://127.0.0.1:{services.free_port()}/0"
    with unchanged():
        assert "no Redis answers" in env.fails("--redis-url", down, "worker", account=None)


def test_ipfs_get_into_a_missing_directory(env, tmp_path):
    cid = env.ok("ipfs", "add", str(_file(tmp_path, b"hello")), account=None)["cid"]
    line = env.fails("ipfs", "get", cid, "-o", "/nonexistent/dir/x", account=None)
    assert line == "error: no such directory: /nonexistent/dir"


def test_ipfs_add_repairs_a_corrupt_block(env, tmp_path):
    f = _file(tmp_path, b"repair me")
    cid = env.ok("ipfs", "add", str(f), account=None)["cid"]
    (env.settings.store_path / "blocks" / cid).write_bytes(b"corrupt")
    assert "does not hash to its CID" in env.fails("ipfs", "get", cid, account=None)
    assert env.ok("ipfs", "add", str(f), account=None)["cid"] == cid
    assert env.ok("ipfs", "get", cid, account=None)["text"] == "repair me"


def test_propose_unknown_setter_sends_nothing(env, unchanged):
    with unchanged():
        line = env.fails("referendum", "propose", "param", "--target", "Staking", "--function", "setNope",
                         account="dev1")
    assert "Staking.setNope() cannot be encoded" in line


def test_eval_post_rejects_a_bad_cid(env, unchanged):
    with unchanged():
        line = env.fails("eval", "post", "1", "--cid", "xyz", "--score", "5", account="dev1")
    assert line == "error: --cid: CID 'xyz' is not a CIDv1 (base32, e.g. bafkrei...)"


def test_demo_checks_the_dataset_first(env, tmp_path):
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("a,b,label\n1,2,0\n3,4\n")
    assert "2 fields, header has 3" in env.fails("demo", "--dataset", str(ragged), account=None)


def test_read_only_commands_name_the_view(env):
    assert env.fails("job", "status", "999", account=None).startswith("error: no job #999 (JobMarket has")
    assert env.fails("referendum", "show", "999", account=None).startswith(
        "error: no referendum #999 (Governance has")


def test_no_approval_is_left_behind_when_the_call_reverts(env, unchanged):
    # job create on a portfolio that does not exist: the approval would be mined first without a simulation
    with unchanged():
        line = env.fails("job", "create", "999999", "--budget", "5", account="dev1")
    assert "JobMarket.createJob reverted" in line


def test_chain_advance_needs_something(env):
    assert env.fails("chain", "advance", account=None) == "error: give --time and/or --blocks"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """A plain web server (GET only: POST gets 501), silent."""

    def log_message(self, *_args):
        pass


def _file(tmp_path, data: bytes):
    p = tmp_path / "f.bin"
    p.write_bytes(data)
    return p


def test_job_run_checks_data_and_redis_before_any_work(env, tmp_path, unchanged):
    def csv(name, cols, salt):
        p = tmp_path / name
        rows = "\n".join(",".join(str((i * (j + 3) + salt) % 11) for j in range(cols - 1)) + f",{i % 2}"
                         for i in range(30))
        p.write_text(",".join(f"x{j}" for j in range(cols - 1)) + ",label\n" + rows + "\n")
        return p

    good, narrow, other = csv("good.csv", 6, 1), csv("narrow.csv", 3, 2), csv("other.csv", 6, 3)
    d1 = env.ok("data", "register", str(good), account="dev1")["token_id"]
    d2 = env.ok("data", "register", str(narrow), account="dev2")["token_id"]
    for who, data_id in (("dev1", d1), ("dev2", d2)):
        env.ok("stake", "deposit", "data-owner", "100", "--asset", str(data_id), account=who)
    pid = env.ok("portfolio", "create", f"{d1},{d2}", account="dev3")["portfolio_id"]
    env.ok("stake", "deposit", "curator", "50", account="dev3")
    env.ok("stake", "deposit", "trainer", "50", account="dev3")
    job = env.ok("job", "create", str(pid), "--budget", "10", "--mode", "fedavg", "--features", "5", "--classes", "2",
                 account="dev3")["job_id"]
    env.ok("job", "join", str(job), str(d1), account="dev1")
    env.ok("job", "join", str(job), str(d2), account="dev2")
    down = f"redis://127.0.0.1:{services.free_port()}/0"
    with unchanged():
        line = env.fails("--redis-url", down, "job", "run", str(job), "--data", f"{d1}={other}", account="dev1")
        assert f"is not $Data #{d1}: its commitment is" in line
        line = env.fails("--redis-url", down, "job", "run", str(job), "--data", f"{d2}={narrow}", account="dev2")
        assert f"has 2 feature columns, job #{job}'s model takes 5" in line
        line = env.fails("--redis-url", down, "job", "run", str(job), "--data", f"{d1}={good}", account="dev1")
        assert "no Redis answers at" in line


def test_confirmations_on_a_chain_that_mines_only_on_transactions(env, csv_file):
    # Anvil mines on demand: a second block never comes by itself, so say so instead of waiting forever
    res = env.run("--confirmations", "1", "data", "register", str(csv_file), account="dev1")
    waiting, line = res.stderr.strip().splitlines()
    assert res.code == 1 and waiting.startswith("block ") and ": waiting for 1 confirmation(s)" in waiting
    assert line.startswith("error: ") and "this chain mines only on transactions" in line and "--confirmations 0" in line


def test_confirmations_are_announced_when_the_wait_starts(env, admin, tmp_path):
    # the line comes first, while the command waits; the block mined after it lets the command finish
    import subprocess
    import sys
    import time

    f = tmp_path / "confirm.csv"
    f.write_text("a,b\n1,2\nconfirmations,3\n")
    err = tmp_path / "stderr"
    with open(err, "w") as e:
        proc = subprocess.Popen([sys.executable, "-m", "orchestrator.cli", *env.base_args(), "--account", "dev1",
                                 "--confirmations", "1", "--json", "data", "register", str(f)],
                                stdout=subprocess.PIPE, stderr=e, text=True, env=env.environ())
    try:
        while "waiting for 1 confirmation(s)" not in err.read_text():
            assert proc.poll() is None, err.read_text()
            time.sleep(0.05)
        admin.mine(1)
        out, _ = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 0, err.read_text()
    lines = err.read_text().strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("block ")
    assert json.loads(out)["token_id"] > 0
