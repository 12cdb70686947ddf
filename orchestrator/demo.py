"""The end-to-end demo on one machine: services, contracts, data owners, a curator, stakes.

The training part (jobs, encrypted rounds, the $Model) is added by the encrypted-training work;
until then :func:`run_demo` stops after staking and says so.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from orchestrator import deploy as deploy_lib
from orchestrator.actions import CAP, assets, stakes
from orchestrator.chain import Chain
from orchestrator.config import Settings
from orchestrator.keystore import Keystore
from orchestrator.services import embedded_services

#: dev accounts: dev0 deploys, dev1..dev4 own data, dev5 curates (see `datacap account import-dev`)
DATA_OWNERS = ("dev1", "dev2", "dev3", "dev4")
CURATOR = "dev5"


@dataclass
class DemoReport:
    deployment: str = ""
    datasets: list[dict] = field(default_factory=list)
    portfolio_id: int = 0
    stakes: list[dict] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def write_demo_datasets(directory: Path, parts: int = 4) -> list[Path]:
    """Split scikit-learn's wine dataset (bundled, offline) into ``parts`` CSV files, one per data owner."""
    directory.mkdir(parents=True, exist_ok=True)
    try:
        from sklearn.datasets import load_wine

        bunch = load_wine()
        header = [*bunch.feature_names, "target"]
        rows = [[*map(float, x), int(y)] for x, y in zip(bunch.data, bunch.target)]
    except ImportError:  # deterministic synthetic rows
        header = ["x0", "x1", "x2", "target"]
        rows = [[i * 0.5, (i * 7) % 13, (i * 3) % 5, i % 3] for i in range(180)]
    paths = []
    for k in range(parts):
        p = directory / f"owner{k + 1}.csv"
        with p.open("w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            w.writerows(rows[k::parts])
        paths.append(p)
    return paths


def run_demo(settings: Settings, password: str, *, storage, work_dir: Path,
             progress: Callable[[str], None] = lambda _m: None) -> DemoReport:
    report = DemoReport()
    ks = Keystore(settings.keystore_path)
    ks.import_dev(6, password)
    signer = {n: ks.load(n, password) for n in ("dev0", *DATA_OWNERS, CURATOR)}
    with embedded_services(settings, redis=False) as _:
        progress("contracts")
        chain = Chain(settings, signer["dev0"])
        live = deploy_lib.live_deployment(chain)
        if live is None:
            deploy_lib.deploy_suite(chain, progress=progress)
        report.deployment = str(settings.deployment_file(chain.chain_id))
        files = write_demo_datasets(work_dir / "datasets")
        ids = []
        for owner, path in zip(DATA_OWNERS, files):
            progress(f"{owner} registers {path.name}")
            c = Chain(settings, signer[owner])
            existing = c.call("DataNFT.tokenOfCommitment", bytes.fromhex(assets.commit_dataset(path).root[2:]))
            if existing:
                token_id = existing
            else:
                token_id = assets.register_dataset(c, storage, path, name=f"wine part {path.stem}",
                                                   description="a quarter of scikit-learn's wine dataset",
                                                   price=CAP, bonus=CAP).token_id
            ids.append(token_id)
            report.datasets.append({"owner": owner, "file": str(path), "token_id": token_id})
            progress(f"{owner} stakes 100 CAP on $Data #{token_id}")
            tx = stakes.deposit(c, "data-owner", token_id, 100 * CAP)
            report.stakes.append({"account": owner, "role": "data-owner", "asset_id": token_id, "tx": tx.tx_hash})
        progress("curator bundles the portfolio")
        cur = Chain(settings, signer[CURATOR])
        report.portfolio_id, _, _ = assets.create_portfolio(cur, storage, ids, [4000, 3000, 2000, 1000],
                                                            name="wine, four owners")
        tx = stakes.deposit(cur, "curator", 0, 50 * CAP)
        report.stakes.append({"account": CURATOR, "role": "curator", "asset_id": 0, "tx": tx.tx_hash})
        report.pending.append("training (job, encrypted rounds, $Model, use, evaluation) is not wired in yet")
    return report
