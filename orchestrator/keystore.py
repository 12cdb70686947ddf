"""Accounts in encrypted keystore files (Web3 Secret Storage, scrypt), one per name.

Files live in ``<data dir>/keystore/<name>.json`` with mode 0600. Private keys enter only through
:func:`Keystore.import_key` (the CLI reads them from stdin or ``DATACAP_PRIVATE_KEY``, never argv).
The local chain's dev accounts are Anvil's well-known mnemonic keys, imported through the same
keystore (``datacap account import-dev N``) so that every signer takes the same path.
"""

from __future__ import annotations

import functools
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount

from orchestrator.errors import KeystoreError

#: scrypt work factor for real accounts (eth_account's default)
SCRYPT_N = 2**18
#: dev keys are public knowledge (Anvil's mnemonic); a light factor keeps the demo fast
DEV_SCRYPT_N = 2**12
ANVIL_MNEMONIC = "test test test test test test test test test test test junk"
PASSWORD_ENV = "DATACAP_PASSWORD"
#: Anvil's dev keys are public (mnemonic ``test ... junk``): when no password is given they are stored
#: under this one, so a local run needs no configuration. Never used for a key that is not a dev key.
DEV_PASSWORD = "anvil-dev-keys-are-public"
PRIVATE_KEY_ENV = "DATACAP_PRIVATE_KEY"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")

Account.enable_unaudited_hdwallet_features()


@dataclass(frozen=True)
class AccountInfo:
    name: str
    address: str
    path: Path

    def as_dict(self) -> dict:
        return {"name": self.name, "address": self.address, "path": str(self.path)}


def dev_key(index: int) -> str:
    """Private key of Anvil's dev account ``index`` (mnemonic ``test ... junk``)."""
    acct = Account.from_mnemonic(ANVIL_MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}")
    return acct.key.hex()


@functools.lru_cache(maxsize=1)
def _dev_addresses(count: int = 20) -> frozenset[str]:
    return frozenset(Account.from_key(dev_key(i)).address for i in range(count))


def normalize_key(raw: str) -> str:
    key = raw.strip()
    key = key[2:] if key.lower().startswith("0x") else key
    if not re.fullmatch(r"[0-9a-fA-F]{64}", key):
        raise KeystoreError("a private key is 32 bytes of hex (64 hex digits, optional 0x)")
    return "0x" + key.lower()


class Keystore:
    """Encrypted accounts in one directory."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)

    def path(self, name: str) -> Path:
        if not _NAME.match(name):
            raise KeystoreError(f"bad account name {name!r}: letters, digits, '.', '_', '-' only")
        return self.directory / f"{name}.json"

    def exists(self, name: str) -> bool:
        return self.path(name).is_file()

    def _write(self, name: str, key: str, password: str, *, overwrite: bool, scrypt_n: int) -> AccountInfo:
        path = self.path(name)
        if path.exists() and not overwrite:
            raise KeystoreError(f"account {name!r} exists already ({path})")
        self.directory.mkdir(parents=True, exist_ok=True)
        os.chmod(self.directory, 0o700)
        blob = Account.encrypt(key, password, kdf="scrypt", iterations=scrypt_n)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(blob, fh)
        os.replace(tmp, path)
        os.chmod(path, 0o600)
        return AccountInfo(name, Account.from_key(key).address, path)

    def create(self, name: str, password: str, *, scrypt_n: int = SCRYPT_N) -> AccountInfo:
        """Generate a fresh key and store it encrypted."""
        acct = Account.create()
        return self._write(name, acct.key.hex(), password, overwrite=False, scrypt_n=scrypt_n)

    def import_key(
        self, name: str, private_key: str, password: str, *, overwrite: bool = False, scrypt_n: int = SCRYPT_N
    ) -> AccountInfo:
        """Store an existing private key encrypted."""
        return self._write(name, normalize_key(private_key), password, overwrite=overwrite, scrypt_n=scrypt_n)

    def import_dev(self, count: int, password: str, *, prefix: str = "dev") -> list[AccountInfo]:
        """Import Anvil's first ``count`` dev keys as ``dev0``..``dev{count-1}`` (existing ones kept)."""
        out = []
        for i in range(count):
            name = f"{prefix}{i}"
            if self.exists(name):
                out.append(self.info(name))
            else:
                out.append(self._write(name, dev_key(i), password, overwrite=False, scrypt_n=DEV_SCRYPT_N))
        return out

    def is_dev(self, name: str) -> bool:
        """Whether ``name`` holds one of Anvil's public dev keys (by address, so a renamed key counts too)."""
        return self.info(name).address in _dev_addresses()

    def info(self, name: str) -> AccountInfo:
        path = self.path(name)
        if not path.is_file():
            raise KeystoreError(f"no account named {name!r} in {self.directory} (see `datacap account list`)")
        try:
            address = json.loads(path.read_text())["address"]
        except (ValueError, KeyError):
            raise KeystoreError(f"{path} is not a keystore file") from None
        return AccountInfo(name, _checksum(address), path)

    def list(self) -> list[AccountInfo]:
        if not self.directory.is_dir():
            return []
        names = sorted(p.stem for p in self.directory.glob("*.json"))
        return [self.info(n) for n in names if _NAME.match(n)]

    def default_name(self) -> str:
        """The only account, else ``dev0``; fails when that is ambiguous."""
        names = [a.name for a in self.list()]
        if len(names) == 1:
            return names[0]
        if "dev0" in names:
            return "dev0"
        if not names:
            raise KeystoreError(
                "no accounts yet: `datacap account create NAME`, `datacap account import NAME`, "
                "or `datacap account import-dev 20` on the local chain"
            )
        raise KeystoreError(f"{len(names)} accounts; choose one with --account or DATACAP_ACCOUNT")

    def load(self, name: str, password: str) -> LocalAccount:
        """Decrypt an account."""
        path = self.info(name).path
        try:
            key = Account.decrypt(json.loads(path.read_text()), password)
        except ValueError:
            raise KeystoreError(f"wrong password for account {name!r}") from None
        return Account.from_key(key)


def _checksum(address: str) -> str:
    from eth_utils import to_checksum_address

    return to_checksum_address(address if address.startswith("0x") else "0x" + address)


def password_from_env(env: dict | None = None) -> str | None:
    env = os.environ if env is None else env
    return env.get(PASSWORD_ENV)


def signer_from_env(env: dict | None = None) -> LocalAccount:
    """The account whose raw key is in ``DATACAP_PRIVATE_KEY`` (``key_source = "env"``)."""
    env = os.environ if env is None else env
    raw = env.get(PRIVATE_KEY_ENV)
    if not raw:
        raise KeystoreError(f"key_source is 'env' but {PRIVATE_KEY_ENV} is not set")
    return Account.from_key(normalize_key(raw))
