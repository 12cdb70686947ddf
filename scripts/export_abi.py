"""Export abi/<Contract>.json ({abi, bytecode, enums}) for every deployable contract, or check them.

``enums`` maps each enum the ABI uses (an ``internalType`` ``enum I.Name``) to its member names in order, from
the compiler's AST: Python builds its enums from these, so a protocol enum is declared once, in Solidity.
"""

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


def _enum_definitions() -> dict[str, list[str]]:
    """Canonical enum name ("IJobMarket.Status") -> member names, from every AST in out/."""
    found: dict[str, list[str]] = {}

    def walk(node, scope: str) -> None:
        if isinstance(node, list):
            for n in node:
                walk(n, scope)
        elif isinstance(node, dict):
            kind = node.get("nodeType")
            if kind == "ContractDefinition":
                scope = node["name"]
            if kind == "EnumDefinition":
                found[f"{scope}.{node['name']}" if scope else node["name"]] = [m["name"] for m in node["members"]]
            for v in node.values():
                if isinstance(v, (list, dict)):
                    walk(v, scope)

    for built in (ROOT / "out").glob("*.sol/*.json"):
        ast = json.loads(built.read_text()).get("ast")
        if ast:
            walk(ast, "")
    return found


def _enums_used(abi: list, definitions: dict[str, list[str]]) -> dict[str, list[str]]:
    """The enums an ABI's parameters name, by short name."""
    used = {}

    def visit(params) -> None:
        for p in params or []:
            internal = p.get("internalType", "")
            if internal.startswith("enum "):
                canonical = internal[5:].split("[")[0]
                used[canonical.rsplit(".", 1)[-1]] = definitions[canonical]
            visit(p.get("components"))

    for entry in abi:
        visit(entry.get("inputs"))
        visit(entry.get("outputs"))
    return dict(sorted(used.items()))


def artifacts() -> dict[str, dict]:
    """Contract name -> {abi, bytecode, enums}, from forge's out/ (run `forge build` first)."""
    definitions = _enum_definitions()
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
        enums = _enums_used(art["abi"], definitions)
        if enums:
            found[name]["enums"] = enums
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
