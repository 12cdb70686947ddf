"""Gas ratios of DESIGN §8 from the committed forge snapshot (run `make snapshot` first to refresh it)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

SNAPSHOT = Path(__file__).resolve().parent.parent / ".gas-snapshot"

# (what, measured test, peer test, target ratio)
RATIOS = [
    ("pay-per-use, portfolio of 50 vs 1 dataset", "test_gas_useModel_portfolio50", "test_gas_useModel_portfolio1", 1.10),
    ("finalize, 50 vs 10 participants", "test_gas_finalize_50participants", "test_gas_finalize_10participants", 1.10),
    ("$Data mint vs a plain OpenZeppelin ERC-721 mint", "test_gas_mintData", "test_gas_mintPlainERC721", 1.6),
    # the same OZ mint plus the three fresh slots a $Data must keep (why each: test/gas/AssetsGas.t.sol)
    ("$Data mint vs OZ mint + its 3 slots", "test_gas_mintData", "test_gas_mintPlainERC721_plus3Slots_metadataDigest", None),
    ("OZ mint + 1 slot vs a plain OZ mint", "test_gas_mintPlainERC721_plus1Slot_commitmentIndex", "test_gas_mintPlainERC721", None),
]


def load(path: Path = SNAPSHOT) -> dict[str, int]:
    gas = {}
    for line in path.read_text().splitlines():
        m = re.match(r"\w+:(\w+)\(\) \(gas: (\d+)\)", line)
        if m:
            gas[m.group(1)] = int(m.group(2))
    return gas


def main() -> int:
    gas = load()
    print(f"{'what':<50} {'gas':>9} {'peer':>9} {'ratio':>6} {'target':>7}")
    for what, test, peer, target in RATIOS:
        ratio = gas[test] / gas[peer]
        bound = "" if target is None else f"<={target}"
        flag = "" if target is None else ("ok" if ratio <= target else "over")
        print(f"{what:<50} {gas[test]:>9} {gas[peer]:>9} {ratio:>6.2f} {bound:>7} {flag}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
