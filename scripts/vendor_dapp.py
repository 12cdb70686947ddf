"""Vendor the dApp's browser dependencies into dapp/vendor/ from the pinned npm packages, or check them.

The page loads these files as they are (no bundler at run time). Each comes from a package pinned in
package.json / package-lock.json; ``--check`` fails when a vendored file differs from what the pinned,
installed package gives (or the installed package is not the version the lock file pins).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "dapp" / "vendor"

#: vendored file -> (npm package, file inside the package)
FILES = {
    "ethers.min.js": ("ethers", "dist/ethers.min.js"),
    "preact.module.js": ("preact", "dist/preact.module.js"),
    "hooks.module.js": ("preact", "hooks/dist/hooks.module.js"),
    "htm.module.js": ("htm", "dist/htm.module.js"),
}
#: circomlib's Poseidon (BN254) constants for the state widths the dataset commitment uses (2 and 16 inputs)
POSEIDON_WIDTHS = (3, 17)
POSEIDON_FILE = "poseidon-bn254.json"
POSEIDON_PARTIAL_ROUNDS = [56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68]  # circomlibjs, by t - 2


def _pinned(package: str) -> str:
    lock = json.loads((ROOT / "package-lock.json").read_text())
    entry = lock["packages"].get(f"node_modules/{package}")
    if entry is None:
        raise SystemExit(f"{package} is not in package-lock.json (npm install --save-exact --save-dev {package})")
    installed = json.loads((ROOT / "node_modules" / package / "package.json").read_text())["version"]
    if installed != entry["version"]:
        raise SystemExit(f"node_modules/{package} is {installed}, package-lock.json pins {entry['version']} (npm ci)")
    return entry["version"]


def poseidon_constants() -> str:
    _pinned("circomlibjs")
    src = json.loads((ROOT / "node_modules/circomlibjs/src/poseidon_constants.json").read_text())
    out = {str(t): {"partialRounds": POSEIDON_PARTIAL_ROUNDS[t - 2], "C": src["C"][t - 2], "M": src["M"][t - 2]}
           for t in POSEIDON_WIDTHS}
    return json.dumps({"source": f"circomlibjs@{_pinned('circomlibjs')} src/poseidon_constants.json",
                       "fullRounds": 8, "widths": out}, separators=(",", ":")) + "\n"


def fresh() -> dict[str, bytes]:
    files = {name: (ROOT / "node_modules" / pkg / path).read_bytes() for name, (pkg, path) in FILES.items()}
    files[POSEIDON_FILE] = poseidon_constants().encode()
    manifest = {name: f"{pkg}@{_pinned(pkg)} {path}" for name, (pkg, path) in FILES.items()}
    manifest[POSEIDON_FILE] = f"circomlibjs@{_pinned('circomlibjs')} (widths {', '.join(map(str, POSEIDON_WIDTHS))})"
    files["MANIFEST.json"] = (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode()
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail when dapp/vendor/ differs from the pinned packages")
    args = parser.parse_args(argv)
    want = fresh()
    if args.check:
        stale = [n for n, b in want.items() if not (VENDOR / n).exists() or (VENDOR / n).read_bytes() != b]
        extra = [p.name for p in VENDOR.iterdir() if p.name not in want]
        if stale or extra:
            print(f"dapp/vendor/ is stale (run `make dapp-vendor`): changed {stale}, orphaned {extra}", file=sys.stderr)
            return 1
        print(f"dapp/vendor/ is current ({len(want)} files)")
        return 0
    VENDOR.mkdir(parents=True, exist_ok=True)
    for old in VENDOR.iterdir():
        if old.name not in want:
            old.unlink()
    for name, data in want.items():
        (VENDOR / name).write_bytes(data)
    print(f"wrote {len(want)} files to {VENDOR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
