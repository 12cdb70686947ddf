# The two commands: `make setup` installs everything, `make test` runs every test.
SHELL := /bin/bash
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)
PYTHON ?= python3

.PHONY: setup test test-sol test-py abi abi-check snapshot slither test-deep dapp-vendor dapp-check zk-check zk-setup zk-export

setup:
	npm ci --no-audit --no-fund
	$(PYTHON) -m pip install -e '.[dev]'
	# the dApp's browser tests drive Debian's chromium (never `playwright install`: it downloads browsers)
	command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)

test: abi-check dapp-check zk-check test-sol slither test-py

test-sol:
	forge test
	forge snapshot --check --match-test 'test_gas_'

test-py:
	$(PYTHON) -m pytest -q

# Regenerate abi/ from contracts/ (committed, so the Python package needs no compiler).
abi:
	forge build --force
	$(PYTHON) scripts/export_abi.py

# Fails when abi/ is stale against contracts/.
abi-check:
	forge build
	$(PYTHON) scripts/export_abi.py --check

# Regenerate dapp/vendor/ from the pinned npm packages (committed: the page needs no bundler).
dapp-vendor:
	$(PYTHON) scripts/vendor_dapp.py

# Fails when dapp/vendor/ differs from what the versions pinned in package-lock.json give.
dapp-check:
	$(PYTHON) scripts/vendor_dapp.py --check

snapshot:
	forge snapshot --match-test 'test_gas_'

slither:
	slither . --config-file slither.config.json --fail-medium

test-deep:
	FOUNDRY_PROFILE=deep forge test

# The committed verification key, Solidity verifier and circuit wasm match the committed zkey and the
# circuit source (no ceremony is run).
zk-check:
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	circuits/export.sh "$$tmp" && \
	diff -q "$$tmp/verification_key.json" circuits/verification_key.json && \
	diff -q "$$tmp/PossessionVerifier.sol" contracts/proofs/PossessionVerifier.sol && \
	circom2 circuits/possession_main.circom --wasm --O2 -l node_modules -o "$$tmp" >/dev/null && \
	cmp "$$tmp/possession_main_js/possession_main.wasm" circuits/possession.wasm && \
	echo "zk-check: verifier, verification key and wasm match the committed zkey and circuit"

# A new DEVELOPMENT ceremony (not in CI, ~15 min on 2 cores), then every artifact that depends on it.
# A deployment follows docs/zk.md instead.
zk-setup:
	circuits/ceremony.sh circuits
	$(MAKE) zk-export
	$(PYTHON) test/proofs/possession_fixtures.py
	$(MAKE) abi snapshot

zk-export:
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	circuits/export.sh "$$tmp" && \
	cp "$$tmp/verification_key.json" circuits/ && cp "$$tmp/PossessionVerifier.sol" contracts/proofs/
