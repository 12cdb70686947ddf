"""The CLI against a live Anvil: data, portfolios, stakes, models, evaluations, referenda, access."""

from __future__ import annotations

import json
import os
import stat

from eth_utils import to_checksum_address

from orchestrator.chain import Deployment
from orchestrator.keystore import dev_key

ALL_GROUPS = ["chain", "deploy", "account", "data", "portfolio", "stake", "job", "model", "eval", "referendum",
              "access", "ipfs", "rewards", "listen", "worker", "demo"]
DAY = 86_400
WEIGHTS_CID = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"


def test_help_lists_every_group(env):
    res = env.run("--help", account=None)
    assert res.code == 0
    for g in ALL_GROUPS:
        assert f"  {g} " in res.stdout, g
    for g in ALL_GROUPS:
        sub = env.run(g, "--help", account=None)
        assert sub.code == 0 and "Example" in sub.stdout, g


def test_deployment_file_has_code_and_redeploy_is_refused(env, admin):
    dep = Deployment.load(env.deployments_dir / "31337.json")
    chain = admin
    assert {"CapToken", "DataNFT", "PortfolioNFT", "ModelNFT", "Staking", "Governance"} <= set(dep.contracts)
    assert all(chain.code_at(c.address) for c in dep.contracts.values())
    line = env.fails("deploy")
    assert "live deployment" in line and "--force" in line


def test_commit_prints_root_without_chain(env, csv_file):
    res = env.run("data", "commit", str(csv_file), account=None, rpc_url="http://127.0.0.1:1")
    assert res.code == 0 and res.stdout.startswith("0x") and "20 records" in res.stdout


def test_register_portfolio_stake(env, csv_file, tmp_path, addr, register):
    other = tmp_path / "other.csv"
    other.write_text("x,y\n1,2\n3,4\n5,6\n")
    a = env.ok("data", "register", str(csv_file), "--name", "flows", "--price", "2", account="dev1")
    b = register(other, "dev2")
    assert a["metadata_cid"] and a["commitment"]["records"] == 20
    shown = env.ok("data", "show", str(a["token_id"]), account=None)
    assert shown["owner"] == addr("dev1") and shown["price_per_use"] == 2 * 10**18
    assert shown["token_uri"] == f"ipfs://{a['metadata_cid']}"
    meta = json.loads(env.run("ipfs", "get", a["metadata_cid"], account=None).stdout)
    assert a["commitment"]["root"] in json.dumps(meta)
    mine = env.ok("data", "list", "--owner", addr("dev1"), account=None)
    assert a["token_id"] in [d["token_id"] for d in mine]

    p = env.ok("portfolio", "create", f"{a['token_id']},{b}", "--weights", "7000,3000", account="dev3")
    port = env.ok("portfolio", "show", str(p["portfolio_id"]), account=None)
    assert port["data_ids"] == [a["token_id"], b] and port["weights_bps"] == [7000, 3000]
    assert port["curator"] == addr("dev3")

    env.ok("stake", "deposit", "data-owner", "25", "--asset", str(a["token_id"]), account="dev1")
    st = env.ok("stake", "status", "data-owner", "--asset", str(a["token_id"]), account="dev1")
    assert st["active"] == 25 * 10**18 and st["voting_stake"] >= 25 * 10**18
    env.ok("stake", "withdraw", "data-owner", "--asset", str(a["token_id"]), "--amount", "5", account="dev1")
    st = env.ok("stake", "status", "data-owner", "--asset", str(a["token_id"]), account="dev1")
    assert st["active"] == 20 * 10**18 and st["thawing"] == 5 * 10**18
    line = env.fails("stake", "withdraw", "data-owner", "--asset", str(a["token_id"]), account="dev1")
    assert "Staking.StillThawing(thawEnd=" in line


def test_model_use_evaluate_rate(env, csv_file, admin, addr, register):
    data_id = register(csv_file, "dev1")
    pid = env.ok("portfolio", "create", str(data_id), account="dev3")["portfolio_id"]
    minter_role = admin.call("ModelNFT.MINTER_ROLE")
    admin.transact("ModelNFT.grantRole", minter_role, addr("dev4"))
    mid = env.ok("model", "mint", "--portfolio", str(pid), "--rounds", "3", "--weights-cid", WEIGHTS_CID,
                 account="dev4")["model_id"]
    env.ok("model", "price", str(mid), "3", account="dev4")
    before = admin.call("CapToken.balanceOf", addr("dev5"))
    env.ok("model", "use", str(mid), account="dev5")
    env.ok("model", "use", str(mid), "--max-price", "3", account="dev6")
    assert before - admin.call("CapToken.balanceOf", addr("dev5")) == 3 * 10**18
    # a price above the user's maximum: refused before paying, nothing charged
    uses = admin.call("ModelMarket.usesOf", addr("dev6"), mid)
    line = env.fails("model", "use", str(mid), "--max-price", "2.5", account="dev6")
    assert line == f"error: $Model #{mid} costs 3 CAP, above --max-price 2.5 CAP"
    assert admin.call("ModelMarket.usesOf", addr("dev6"), mid) == uses
    assert env.ok("portfolio", "show", str(pid), account=None)["frozen"] is True

    example = env.work / "example.json"
    example.write_text(json.dumps({"input": [1, 2], "output": 0}))
    ev = env.ok("eval", "post", str(mid), "--example", str(example), "--score", "4", account="dev5")
    env.ok("eval", "rate", str(ev["evaluation_id"]), "--up", account="dev6")
    shown = env.ok("eval", "show", str(ev["evaluation_id"]), account=None)
    assert shown["upVotes"] == 1 and shown["score"] == 4
    model = env.ok("model", "show", str(mid), account=None)
    assert model["evaluations"] >= 1 and model["lineage"]["rounds"] == 3
    line = env.fails("eval", "rate", str(ev["evaluation_id"]), account="dev6")
    assert "Evaluations.AlreadyRated(" in line
    # a user who never paid cannot post
    line = env.fails("eval", "post", str(mid), "--cid", WEIGHTS_CID, "--score", "5", account="dev7")
    assert "NoPaidUse" in line
    assert env.ok("rewards", "show", account="dev4")["market_owed"] > 0


def test_referendum_slashes_a_stake(env, csv_file, admin, addr, register):
    data_id = register(csv_file, "dev7")
    env.ok("stake", "deposit", "data-owner", "40", "--asset", str(data_id), account="dev7")
    env.ok("stake", "deposit", "compute", "100000", account="dev8")
    chain = admin
    chain.increase_time(2)
    rid = env.ok("referendum", "propose", "slash", "--party", addr("dev7"), "--role", "data-owner",
                 "--asset", str(data_id), "--amount", "30", "--evidence", "did not answer a possession challenge",
                 account="dev8")["referendum_id"]
    assert env.ok("referendum", "show", str(rid), account=None)["state"] == "pending"
    line = env.fails("referendum", "vote", str(rid), "yes", account="dev8")
    assert "Governance.VotingClosed(" in line
    chain.increase_time(DAY + 1)
    env.ok("referendum", "vote", str(rid), "yes", account="dev8")
    chain.increase_time(5 * DAY)
    assert env.ok("referendum", "show", str(rid), account=None)["state"] == "succeeded"
    line = env.fails("referendum", "execute", str(rid), account="dev9")
    assert "TimelockNotElapsed" in line
    chain.increase_time(2 * DAY)
    env.ok("referendum", "execute", str(rid), account="dev9")
    st = env.ok("stake", "status", "data-owner", "--asset", str(data_id), account="dev7")
    assert st["active"] == 10 * 10**18
    listed = env.ok("referendum", "list", account=None)
    assert any(r["id"] == rid and r["state"] == "executed" for r in listed)


def test_access_request_approve_revoke(env, csv_file, addr, register):
    data_id = register(csv_file, "dev1")
    rid = env.ok("access", "request", str(data_id), "--purpose", "audit", account="dev2")["request_id"]
    line = env.fails("access", "approve", str(rid), account="dev2")
    assert "AccessRegistry." in line
    cred = env.ok("access", "approve", str(rid), "--duration", "7d", account="dev1")["credential_id"]
    st = env.ok("access", "status", str(data_id), addr("dev2"), account=None)
    assert st["has_access"] is True and st["credential_id"] == cred
    env.ok("access", "revoke", str(cred), account="dev1")
    assert env.ok("access", "status", str(data_id), addr("dev2"), account=None)["has_access"] is False


def test_account_import_from_stdin_and_list(env):
    key = dev_key(11)
    res = env.run("account", "import", "eleven", "--json", account=None, input=key + "\n")
    assert res.code == 0, res.stderr
    info = res.data
    path = env.data_dir / "keystore" / "eleven.json"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert key[2:] not in path.read_text()
    names = [a["name"] for a in env.ok("account", "list", account=None)]
    assert "eleven" in names and info["address"] == to_checksum_address(info["address"])
    assert "exists already" in env.fails("account", "import", "eleven", account=None, input=key + "\n")
    line = env.fails("data", "register", str(env.work / "x.csv"), account="eleven", env={"DATACAP_PASSWORD": "no"})
    assert "nope" not in line


def test_disclose_updates_metadata(env, csv_file, register):
    data_id = register(csv_file, "dev1")
    schema = env.work / "schema.json"
    schema.write_text(json.dumps([{"name": "a", "type": "int"}, {"name": "b", "type": "int"}]))
    out = env.ok("data", "disclose", str(data_id), "--abstract", "twenty rows", "--schema", str(schema),
                 account="dev1")
    shown = env.ok("data", "show", str(data_id), account=None)
    assert shown["metadata_cid"] == out["metadata_cid"]
    doc = json.loads(env.run("ipfs", "get", out["metadata_cid"], account=None).stdout)
    assert doc["properties"]["disclosure"]["abstract"] == "twenty rows"
    assert "NotDataOwner" in env.fails("data", "disclose", str(data_id), "--abstract", "x", account="dev2")


def test_listen_once_prints_events(env):
    res = env.run("listen", "--once", account=None)
    assert res.code == 0, res.stderr
    assert "DataNFT.DataRegistered" in res.stdout or "CapToken.Transfer" in res.stdout


def test_job_create_join_status_cancel(env, csv_file, tmp_path, register):
    other = tmp_path / "other.csv"
    other.write_text(f"x,y\n1,2\n3,4\n{csv_file.name},6\n")
    data_id, other_id = register(csv_file, "dev1"), register(other, "dev2")
    pid = env.ok("portfolio", "create", f"{data_id},{other_id}", "--weights", "5000,5000",
                 account="dev3")["portfolio_id"]
    # an aggregate must include at least two owners' updates, so a job needs at least two participants
    line = env.fails("job", "create", str(pid), "--budget", "100", "--min-participants", "1", account="dev4")
    assert "BadJobTerms" in line
    jid = env.ok("job", "create", str(pid), "--budget", "100", "--min-participants", "2", account="dev4")["job_id"]
    env.ok("job", "join", str(jid), str(data_id), account="dev1")
    env.ok("job", "join", str(jid), str(other_id), account="dev2")
    st = env.ok("job", "status", str(jid), account=None)
    assert st["participantCount"] == 2 and st["minParticipants"] == 2 and st["status"] in ("created", "open")
    env.ok("job", "cancel", str(jid), account="dev4")
    assert env.ok("job", "status", str(jid), account=None)["status"] == "cancelled"


def test_job_volunteer_select_aggregator_timeout(env, tmp_path, admin, addr, register):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("x,y\n1,2\n5,6\nvolunteer-a,1\n")
    b.write_text("x,y\n3,4\n7,8\nvolunteer-b,1\n")
    d1, d2 = register(a, "dev1"), register(b, "dev2")
    pid = env.ok("portfolio", "create", f"{d1},{d2}", account="dev3")["portfolio_id"]
    jid = str(env.ok("job", "create", str(pid), "--budget", "10", "--min-participants", "2", "--join-window", "1h",
                     "--round-duration", "1h", account="dev4")["job_id"])
    env.ok("job", "join", jid, str(d1), account="dev1")
    env.ok("job", "join", jid, str(d2), account="dev2")
    block = admin.block_number()
    assert "NotParticipant" in env.fails("job", "volunteer", jid, account="dev5")
    assert "NotVolunteer" in env.fails("job", "select-aggregator", jid, addr("dev1"), account="dev4")
    assert "NotTimedOut" in env.fails("job", "timeout", jid, account="dev5")
    assert "is not an address" in env.fails("job", "select-aggregator", jid, "0x12", account="dev4")
    assert admin.block_number() == block  # nothing was mined (and no bond approval left behind)
    assert admin.call("CapToken.allowance", addr("dev5"), admin.address("JobMarket")) == 0

    env.ok("job", "volunteer", jid, account="dev1")
    out = env.ok("job", "select-aggregator", jid, addr("dev1"), account="dev4")
    assert out["aggregator"] == addr("dev1")
    st = env.ok("job", "status", jid, account=None)
    assert st["aggregator"] == addr("dev1")
    env.ok("chain", "advance", "--time", "3h", account=None)  # past the join deadline (and a round after it)
    assert env.ok("job", "timeout", jid, account="dev5")["status"] == "cancelled"
