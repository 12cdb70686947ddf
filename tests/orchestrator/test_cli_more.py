"""CLI paths beyond the main flows: denying access, claiming earnings, a parameter referendum."""

from __future__ import annotations

DAY = 86_400
CAP = 10**18


def test_access_deny_by_owner_only_and_once(env, csv_file, addr, register):
    data_id = register(csv_file, "dev1")
    rid = env.ok("access", "request", str(data_id), "--purpose", "marketing", account="dev2")["request_id"]
    assert "AccessRegistry." in env.fails("access", "deny", str(rid), "--reason", "no", account="dev2")

    env.ok("access", "deny", str(rid), "--reason", "no commercial use", account="dev1")

    assert env.ok("access", "status", str(data_id), addr("dev2"), account=None)["has_access"] is False
    assert "AccessRegistry." in env.fails("access", "deny", str(rid), account="dev1")  # no longer pending
    assert "AccessRegistry." in env.fails("access", "approve", str(rid), account="dev1")


def test_rewards_claim_pays_trainer_and_data_owner_once(env, csv_file, admin, addr, register):
    data_id = register(csv_file, "dev1")
    pid = env.ok("portfolio", "create", str(data_id), account="dev3")["portfolio_id"]
    admin.transact("ModelNFT.grantRole", admin.call("ModelNFT.MINTER_ROLE"), addr("dev4"))
    mid = env.ok("model", "mint", "--portfolio", str(pid), "--rounds", "1", "--weights-cid", "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy",
                 account="dev4")["model_id"]
    env.ok("model", "price", str(mid), "10", account="dev4")
    env.ok("model", "use", str(mid), account="dev5")
    owed = env.ok("rewards", "show", account="dev4")["market_owed"]
    trainer_before = admin.call("CapToken.balanceOf", addr("dev4"))
    owner_before = admin.call("CapToken.balanceOf", addr("dev1"))

    env.ok("rewards", "claim", account="dev4")
    env.ok("rewards", "claim", "--data-share", f"{pid}:{data_id}", account="dev1")

    assert admin.call("CapToken.balanceOf", addr("dev4")) - trainer_before == owed > 0
    owner_gain = admin.call("CapToken.balanceOf", addr("dev1")) - owner_before
    assert 0 < owner_gain < 10 * CAP
    assert env.ok("rewards", "show", account="dev4")["market_owed"] == 0
    # a second claim finds nothing: balances stay where they are
    env.run("rewards", "claim", "--data-share", f"{pid}:{data_id}", account="dev1")
    assert admin.call("CapToken.balanceOf", addr("dev1")) - owner_before == owner_gain
    assert "PORTFOLIO:DATA" in env.fails("rewards", "claim", "--data-share", "one-two", account="dev1")


def test_parameter_referendum_changes_a_governed_setting(env, admin):
    env.ok("stake", "deposit", "compute", "200000", account="dev9")
    admin.increase_time(2)
    new_min = 2 * CAP
    rid = env.ok("referendum", "propose", "param", "--target", "Staking", "--function", "setMinStake",
                 "--arg", str(new_min), "--description", "raise the minimum stake", account="dev9")["referendum_id"]
    admin.increase_time(DAY + 1)
    env.ok("referendum", "vote", str(rid), "yes", account="dev9")
    admin.increase_time(5 * DAY)
    admin.increase_time(2 * DAY)

    env.ok("referendum", "execute", str(rid), account="dev8")

    assert admin.call("Staking.minStake") == new_min
    assert "Governance." in env.fails("referendum", "execute", str(rid), account="dev8")
