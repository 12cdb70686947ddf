"""Every view renders for a connected person with no console error; each is saved as a screenshot."""

from __future__ import annotations

from dapp_support import open_connected, shot

from orchestrator.keystore import dev_key

VIEWS = [("catalog", "catalog"), ("data/{d}", "data-page"), ("portfolios/{p}", "portfolio-page"),
         ("model/{m}", "model-page"), ("register", "register"), ("portfolio", "portfolio-form"), ("stake", "stakes"),
         ("referenda", "referenda"), ("jobs", "jobs"), ("rewards", "rewards"), ("access", "access")]


def test_a_training_job_shows_its_participants_and_rounds(page, dapp_server, wallet_for, world, env):
    job = env.ok("job", "create", str(world.portfolio_id), "--budget", "100", "--rounds", "3", account="dev4")["job_id"]
    for owner, data_id in (("dev1", world.data_ids[0]), ("dev2", world.data_ids[1])):
        env.ok("job", "join", str(job), str(data_id), account=owner)
    wallet = wallet_for(page, dev_key(1))
    open_connected(page, dapp_server.url, wallet, "jobs")
    card = page.get_by_test_id(f"job-{job}")
    card.wait_for()
    text = card.inner_text()
    assert f"portfolio #{world.portfolio_id}" in text and "round 0 of 3" in text and "100 CAP" in text
    assert card.locator(".addr").count() >= 3  # the trainer and two participants


def test_every_view_renders_and_is_saved(page, dapp_server, wallet_for, world):
    wallet = wallet_for(page, dev_key(1))
    open_connected(page, dapp_server.url, wallet)
    for route, testid in VIEWS:
        name = route.format(d=world.data_ids[0], p=world.portfolio_id, m=world.model_id)
        page.goto(f"{dapp_server.url}#/{name}")
        page.get_by_test_id(testid).wait_for()
        page.wait_for_function("() => !document.querySelector('main')?.innerText.includes('Loading…')")
        assert page.locator("main .error[role=alert]").count() == 0, page.locator("main").inner_text()
        shot(page, f"view-{testid}")
    assert page.console_errors == []
