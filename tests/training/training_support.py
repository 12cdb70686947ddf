"""Helpers shared by the training tests (a uniquely named module: every tests/*/conftest.py is `conftest`)."""

import csv
import json
from pathlib import Path

from click.testing import CliRunner

from orchestrator.cli import cli

HERE = Path(__file__).resolve().parent
CAP = 10**18


def write_sklearn_csv(name: str, path: Path) -> Path:
    from sklearn import datasets

    b = getattr(datasets, f"load_{name}")()
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow([n.replace(" ", "_") for n in b.feature_names] + ["target"])
        for x, y in zip(b.data, b.target):
            w.writerow([*map(float, x), int(y)])
    return path


def invoke(*args: str, env: dict | None = None):
    res = CliRunner().invoke(cli, [str(a) for a in args], env=env, catch_exceptions=False)
    return res.exit_code, res.stdout, res.stderr


def demo_json(*args: str) -> dict:
    code, out, err = invoke("demo", "--json", *args)
    assert code == 0, err
    return json.loads(out)


def cli_args(settings) -> list[str]:
    return ["--rpc-url", settings.rpc_url, "--data-dir", str(settings.data_dir),
            "--deployments-dir", str(settings.deployments_dir)]
