"""Export abi/<Contract>.json ({abi, bytecode}) for every deployable contract, or check them."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP_DIRS = {"interfaces", "libraries", "mocks"}


def deployable_sources() -> list[Path]:
    """Solidity files under contracts/ whose same-named contract is deployable."""
    return sorted(
        p for p in (ROOT / "contracts").rglob("*.sol") if not SKIP_DIRS.intersection(p.relative_to(ROOT).parts)
    )


def artifacts() -> dict[str, dict]:
    """Contract name -> {abi, bytecode}, from forge's out/ (run `forge build` first)."""
    found = {}
    for src in deployable_sources():
        name = src.stem
        built = ROOT / "out" / src.name / f"{name}.json"
        if not built.exists():
            continue
        art = json.loads(built.read_text())
        bytecode = art["bytecode"]["object"]
        if bytecode in ("", "0x"):
            continue  # abstract contract
        found[name] = {"contractName": name, "abi": art["abi"], "bytecode": bytecode}
    return found


def render(art: dict) -> str:
    return json.dumps(art, indent=1, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail when abi/ differs from a fresh build")
    args = parser.parse_args(argv)
    fresh = artifacts()
    out_dir = ROOT / "abi"
    if args.check:
        stale = [n for n, a in fresh.items() if not (out_dir / f"{n}.json").exists()
                 or (out_dir / f"{n}.json").read_text() != render(a)]
        extra = [p.stem for p in out_dir.glob("*.json") if p.stem not in fresh]
        if stale or extra:
            print(f"abi/ is stale (run `make abi`): changed {stale}, orphaned {extra}", file=sys.stderr)
            return 1
        print(f"abi/ is current ({len(fresh)} contracts)")
        return 0
    out_dir.mkdir(exist_ok=True)
    for old in out_dir.glob("*.json"):
        if old.stem not in fresh:
            old.unlink()
    for name, art in fresh.items():
        (out_dir / f"{name}.json").write_text(render(art))
    print(f"wrote {len(fresh)} artifacts to abi/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
