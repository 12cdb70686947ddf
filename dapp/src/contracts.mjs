// Every contract call the page makes, built from the ABIs served at run time (/abi/<Name>.json).
// Reads go through the same-origin JSON-RPC proxy (no wallet needed); writes are returned as
// {contract, fn, args, label} requests that tx.mjs simulates, sends and follows.
import { ethers } from "ethers";

export const CAP = 10n ** 18n;
export const BPS = 10_000;
// IStaking.Role and IGovernance.Kind / State, in enum order (as orchestrator/actions/stakes.py)
export const ROLES = ["data-owner", "compute", "curator", "trainer", "aggregator", "model"];
export const KINDS = ["slash", "param-change", "set-regulator"];
export const STATES = ["none", "pending", "active", "defeated", "succeeded", "executed", "expired"];
export const JOB_STATUS = ["none", "created", "open", "running", "finalized", "settled", "cancelled"];
export const REQUEST_STATUS = ["none", "pending", "approved", "denied", "cancelled"];

// OpenZeppelin errors our contracts inherit, decoded even when an ABI lacks them (as orchestrator/chain.py)
const BUILTIN_ERRORS = [
  "error AccessControlUnauthorizedAccount(address account, bytes32 neededRole)",
  "error AccessControlBadConfirmation()",
  "error OwnableUnauthorizedAccount(address account)",
  "error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed)",
  "error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed)",
  "error ERC20InvalidReceiver(address receiver)",
  "error ERC721NonexistentToken(uint256 tokenId)",
  "error ERC721IncorrectOwner(address sender, uint256 tokenId, address owner)",
  "error ERC721InsufficientApproval(address operator, uint256 tokenId)",
  "error ERC2612ExpiredSignature(uint256 deadline)",
  "error ERC2612InvalidSigner(address signer, address owner)",
  "error SafeERC20FailedOperation(address token)",
  "error ReentrancyGuardReentrantCall()",
  "error EnforcedPause()",
  "error Error(string message)",
  "error Panic(uint256 code)",
];
const PANIC_CODES = {
  0x00: "generic panic", 0x01: "assert failed", 0x11: "arithmetic overflow or underflow",
  0x12: "division or modulo by zero", 0x21: "invalid enum value", 0x22: "bad storage byte array",
  0x31: "pop on empty array", 0x32: "array index out of bounds", 0x41: "out of memory",
  0x51: "call to an uninitialized function",
};

/** JSON.stringify that writes BigInts as decimal strings (JSON.stringify throws on them). */
export const toJson = (value) => JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v));

/** "1.5" CAP -> wei (BigInt); throws on anything else. */
export function parseCap(text) {
  const s = String(text).trim();
  if (!/^\d+(\.\d{1,18})?$/.test(s)) throw new Error(`not an amount of CAP: ${JSON.stringify(s)}`);
  return ethers.parseUnits(s, 18);
}

/** wei -> "1,000.5 CAP" (the CLI's fmt_cap, with thousands grouped for reading). */
export function fmtCap(wei) {
  let [whole, frac = ""] = ethers.formatUnits(BigInt(wei), 18).split(".");
  frac = frac.replace(/0+$/, "");
  whole = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${whole}${frac ? `.${frac}` : ""} CAP`;
}

/** The CID in an ipfs:// URI, or null for placeholders such as "-". */
export function cidOfUri(uri) {
  const cid = String(uri || "").replace(/^ipfs:\/\//, "");
  return /^b[a-z2-7]{58,}$/.test(cid) ? cid : null;
}

function pyValue(type, value, roles) {
  // the CLI's _fmt: bytes as 0x-hex (role names for known roles), strings quoted, Python's True/False
  if (type.endsWith("]")) {
    const inner = type.slice(0, type.lastIndexOf("["));
    return "[" + Array.from(value).map((v) => pyValue(inner, v, roles)).join(", ") + "]";
  }
  if (type.startsWith("bytes")) return roles.get(String(value).toLowerCase()) || String(value).toLowerCase();
  if (type === "address") return ethers.getAddress(value);
  if (type === "string") return value.startsWith("0x") ? value : JSON.stringify(value);
  if (type === "bool") return value ? "True" : "False";
  if (type.startsWith("tuple")) return "[" + Array.from(value).map((v) => String(v)).join(", ") + "]";
  return String(value);
}

export class Contracts {
  /** @param config /config.json; @param artifacts {Name: abi[]} */
  constructor(config, artifacts) {
    this.config = config;
    this.abis = artifacts;
    this.provider = new ethers.JsonRpcProvider(new URL(config.rpcUrl, location.href).href, config.chainId, {
      staticNetwork: ethers.Network.from(config.chainId),
      pollingInterval: 250, // a local chain mines at once: don't wait ethers' default 4 s
      cacheTimeout: -1, // no 250 ms reuse of identical requests: a refresh right after a confirmation must see it
    });
    this.ifaces = {};
    this.read = {};
    for (const [name, abi] of Object.entries(artifacts)) {
      this.ifaces[name] = new ethers.Interface(abi);
      const address = config.contracts[name];
      if (address) this.read[name] = new ethers.Contract(address, abi, this.provider);
    }
    this._errorTable();
  }

  static async load(base = location.href) {
    // two requests in parallel: the config and every deployed contract's ABI (/abi/<Name>.json one by one, bundled)
    const [config, abis] = await Promise.all(["config.json", "abi/deployed.json"].map(async (p) => (await fetch(new URL(p, base))).json()));
    return new Contracts(config, abis);
  }

  address(name) {
    const a = this.config.contracts[name];
    if (!a) throw new Error(`${name} is not in the deployment for chain ${this.config.chainId}`);
    return a;
  }

  has(name) { return Boolean(this.config.contracts[name]); }

  inputsOf(contract, fn) { return this.ifaces[contract].getFunction(fn).inputs; }

  // -- errors: one selector table over every ABI, decoded into the CLI's text ----------------------
  _errorTable() {
    this.errors = new Map(); // selector -> [{owner, fragment}]
    this.roles = new Map([["0x" + "00".repeat(32), "DEFAULT_ADMIN_ROLE"]]);
    for (const name of Object.keys(this.abis).sort()) {
      for (const f of this.ifaces[name].fragments) {
        if (f.type === "error") {
          const list = this.errors.get(f.selector) || [];
          list.push({ owner: name, fragment: f });
          this.errors.set(f.selector, list);
        } else if (f.type === "function" && f.name.endsWith("_ROLE") && f.inputs.length === 0) {
          this.roles.set(ethers.id(f.name), f.name);
        }
      }
    }
    for (const sig of BUILTIN_ERRORS) {
      const f = ethers.ErrorFragment.from(sig);
      const list = this.errors.get(f.selector) || [];
      list.push({ owner: null, fragment: f });
      this.errors.set(f.selector, list);
    }
  }

  /** Revert data -> {text, name, args}: `DataNFT.DuplicateCommitment(commitment=0x…, existingTokenId=1)`. */
  decodeError(data, contract = null) {
    const prefix = contract ? `${contract}.` : "";
    if (!data || data.length < 10) return { text: `${prefix}revert (no reason)`, name: "", args: {} };
    const candidates = this.errors.get(data.slice(0, 10).toLowerCase()) || [];
    if (!candidates.length) {
      return { text: `${prefix}revert with unknown error ${data.slice(0, 10)} (data ${data})`, name: "", args: {} };
    }
    const hit = candidates.find((c) => c.owner === contract) || candidates[0];
    const owner = hit.owner || contract;
    const f = hit.fragment;
    let values;
    try {
      values = ethers.AbiCoder.defaultAbiCoder().decode(f.inputs, ethers.dataSlice(data, 4));
    } catch {
      return { text: `${prefix}${f.name}(<undecodable 0x${data.slice(10)}>)`, name: f.name, args: {} };
    }
    const args = Object.fromEntries(f.inputs.map((p, i) => [p.name || `arg${i}`, values[i]]));
    const head = owner ? `${owner}.` : "";
    if (f.name === "Error") return { text: `${head}revert: ${args.message}`, name: f.name, args };
    if (f.name === "Panic") {
      const code = Number(args.code);
      const hex = code.toString(16).padStart(2, "0");
      return { text: `${head}Panic(0x${hex}: ${PANIC_CODES[code] || "unknown code"})`, name: f.name, args };
    }
    const shown = f.inputs.map((p, i) => `${p.name || `arg${i}`}=${pyValue(p.type, values[i], this.roles)}`).join(", ");
    return { text: `${head}${f.name}(${shown})`, name: f.name, args };
  }

  // -- transaction requests ----------------------------------------------------------------------
  /** A write, as data: tx.mjs encodes it with `encode`, simulates, sends and follows it. */
  request(contract, fn, args, label) {
    return { contract, fn, args, label: label || `${contract}.${fn}` };
  }

  encode(req) {
    return { to: this.address(req.contract), data: this.ifaces[req.contract].encodeFunctionData(req.fn, req.args) };
  }

  /** The requests to approve `amount` CAP for `spender` first when the allowance is short (as ensure_allowance). */
  async withAllowance(owner, spender, amount, req) {
    const allowance = owner ? await this.read.CapToken.allowance(owner, this.address(spender)) : 0n;
    const out = [];
    if (amount > 0n && allowance < amount) {
      out.push(this.request("CapToken", "approve", [this.address(spender), amount], `CapToken.approve(${spender})`));
    }
    out.push(req);
    return out;
  }

  // -- reads: catalog ----------------------------------------------------------------------------
  async metadata(uri) {
    const cid = cidOfUri(uri);
    if (!cid) return null;
    try {
      const r = await fetch(new URL(`${this.config.ipfsGateway}${cid}`, location.href));
      return r.ok ? await r.json() : null;
    } catch {
      return null;
    }
  }

  async count(contract) { return Number(await this.read[contract].totalMinted()); }

  // each item: its chain reads, its metadata and its stakes in parallel (one round trip after tokenURI)
  async dataItem(id, staked) {
    const d = this.read.DataNFT;
    const [owner, commitment, [uri, meta], lic, leafCount, stakes] = await Promise.all([d.ownerOf(id), d.commitmentOf(id),
      this._uriAndMeta(d, id), d.licenseOf(id), this.inputsOf("DataNFT", "mint").length === 4 ? d.leafCountOf(id) : null,
      this.stakesOn(0, id, staked)]);
    // the licence's terms as the deployed ABI names them (the training bonus is gone since decision 1)
    const bonus = this.licenseTerms().includes("bonusPerTrainingUse") ? lic.bonusPerTrainingUse : null;
    return { id, owner, commitment, uri, leafCount, price: lic.pricePerUse, bonus, meta, stakes };
  }

  async _uriAndMeta(nft, id) {
    const uri = await nft.tokenURI(id);
    return [uri, await this.metadata(uri)];
  }

  async portfolioItem(id, staked) {
    const p = this.read.PortfolioNFT;
    const [curator, comp, frozen, [uri, meta], stakes] = await Promise.all([p.ownerOf(id), p.compositionOf(id), p.isFrozen(id),
      this._uriAndMeta(p, id), this.stakesOn(2, id, staked)]);
    return { id, curator, dataIds: [...comp[0]].map(Number), weights: [...comp[1]].map(Number), frozen, uri, meta, stakes };
  }

  async modelItem(id, staked) {
    const m = this.read.ModelNFT;
    const [owner, lin, [uri, meta], price, evals, avg, stakes] = await Promise.all([m.ownerOf(id), m.lineageOf(id),
      this._uriAndMeta(m, id),
      this.has("ModelMarket") ? this.read.ModelMarket.priceOf(id) : 0n,
      this.has("Evaluations") ? this.read.Evaluations.evaluationCount(id) : 0n,
      this.has("Evaluations") ? this.read.Evaluations.averageScore(id) : 0n,
      this.stakesOn(5, id, staked)]);
    return { id, owner, uri, price, evaluations: Number(evals), averageScore: Number(avg),
      lineage: { jobId: Number(lin.jobId), portfolioId: Number(lin.portfolioId), rounds: Number(lin.rounds),
        metricsHash: lin.metricsHash, weightsCid: lin.weightsCid }, meta, stakes };
  }

  async all(contract, item, staked) {
    const n = await this.count(contract);
    return Promise.all(Array.from({ length: n }, (_, i) => item.call(this, i + 1, staked)));
  }

  async catalog() {
    const staked = this.events("Staking", "Staked"); // one log query for every asset's stakes
    const [data, portfolios, models] = await Promise.all([this.all("DataNFT", this.dataItem, staked),
      this.all("PortfolioNFT", this.portfolioItem, staked), this.all("ModelNFT", this.modelItem, staked)]);
    return { data, portfolios, models };
  }

  async events(contract, name, ...filter) {
    const c = this.read[contract];
    return c.queryFilter(c.filters[name](...filter), this.config.startBlock);
  }

  /** Active stake on an asset per staker, for a role (stakers from Staked events, amounts from positionOf). */
  async stakesOn(role, assetId, staked = null) {
    const evs = staked ? (await staked).filter((e) => Number(e.args.role) === role && Number(e.args.assetId) === Number(assetId))
      : await this.events("Staking", "Staked", null, role, assetId);
    const stakers = [...new Set(evs.map((e) => e.args.staker))];
    const pos = await Promise.all(stakers.map((s) => this.read.Staking.positionOf(s, role, assetId)));
    const total = pos.reduce((acc, p) => acc + p.active, 0n);
    return { total, stakers: stakers.length };
  }

  // -- reads: one account ------------------------------------------------------------------------
  async balances(account) {
    const [cap, eth] = await Promise.all([this.read.CapToken.balanceOf(account), this.provider.getBalance(account)]);
    return { cap, eth };
  }

  async positions(account) {
    const evs = await this.events("Staking", "Staked", account);
    const keys = [...new Set(evs.map((e) => `${e.args.role}:${e.args.assetId}`))];
    const out = await Promise.all(keys.map(async (k) => {
      const [role, asset] = k.split(":").map(Number);
      const p = await this.read.Staking.positionOf(account, role, asset);
      return { role, roleName: ROLES[role], assetId: asset, active: p.active, thawing: p.thawing,
        thawEnd: Number(p.thawEnd), heldUntil: Number(p.heldUntil) };
    }));
    const st = this.read.Staking;
    const [votingStake, totalStake, minStake, thawingPeriod, now] = await Promise.all([st.stakeOf(account),
      st.totalStake(), st.minStake(), st.thawingPeriod(), this.now()]);
    return { positions: out, votingStake, totalStake, minStake, thawingPeriod: Number(thawingPeriod), now };
  }

  async now() { return Number((await this.provider.getBlock("latest")).timestamp); }

  async referenda(account) {
    const g = this.read.Governance;
    const n = Number(await g.proposalCount());
    const list = await Promise.all(Array.from({ length: n }, async (_, i) => {
      const id = i + 1;
      const [p, state, voted] = await Promise.all([g.proposalOf(id), g.state(id), account ? g.hasVoted(id, account) : false]);
      return { id, kind: KINDS[Number(p.kind)], state: STATES[Number(state)], proposer: p.proposer,
        forVotes: p.forVotes, againstVotes: p.againstVotes, totalStake: p.totalStakeAtSnapshot,
        voteStart: Number(p.voteStart), voteEnd: Number(p.voteEnd), readyAt: Number(p.readyAt),
        action: this.decodeAction(Number(p.kind), p.action), voted };
    }));
    const [quorumBps, deposit, votingDelay, votingPeriod, timelock] = await Promise.all([
      g.quorumBps(), g.proposalDeposit(), g.votingDelay(), g.votingPeriod(), g.timelock()]);
    return { list, quorumBps: Number(quorumBps), deposit, votingDelay: Number(votingDelay),
      votingPeriod: Number(votingPeriod), timelock: Number(timelock), now: await this.now() };
  }

  decodeAction(kind, raw) {
    const coder = ethers.AbiCoder.defaultAbiCoder();
    try {
      if (KINDS[kind] === "slash") {
        const [party, role, assetId, amount] = coder.decode(["address", "uint8", "uint256", "uint256"], raw);
        return { party, role: ROLES[Number(role)], assetId, amount };
      }
      if (KINDS[kind] === "param-change") {
        const [target, data] = coder.decode(["address", "bytes"], raw);
        const name = Object.keys(this.config.contracts).find((n) => this.config.contracts[n].toLowerCase() === target.toLowerCase());
        let call = data;
        try { const tx = this.ifaces[name].parseTransaction({ data }); call = `${tx.name}(${tx.args.join(", ")})`; } catch { /* raw */ }
        return { target: name || target, call };
      }
      return { regulator: coder.decode(["address"], raw)[0] };
    } catch {
      return { raw };
    }
  }

  async jobs() {
    const j = this.read.JobMarket;
    const n = Number(await j.jobCount());
    return Promise.all(Array.from({ length: n }, async (_, i) => {
      const id = i + 1;
      const job = await j.jobOf(id);
      const rounds = Number(job.currentRound);
      const parts = await Promise.all(Array.from({ length: Number(job.participantCount) }, (_, k) => j.participantAt(id, k)));
      const roundInfo = await Promise.all(Array.from({ length: rounds }, async (_, r) => {
        const rs = await j.roundOf(id, r + 1);
        const disputes = await this.events("JobMarket", "DisputeRaised", id, r + 1);
        return { round: r + 1, submitted: Number(rs.submittedCount), aggregated: rs.aggregateHash !== ethers.ZeroHash,
          included: popcount(rs.includedBits), challengeEnd: Number(rs.challengeEnd), disputed: disputes.length > 0 };
      }));
      return { id, trainer: job.trainer, status: JOB_STATUS[Number(job.status)] || String(job.status),
        portfolioId: Number(job.portfolioId), rounds: Number(job.rounds), currentRound: rounds,
        participants: parts, aggregator: job.aggregator, budget: job.budget, modelId: Number(job.modelId),
        disputed: job.disputed, roundInfo };
    }));
  }

  async evaluations(modelId, account) {
    const evs = await this.events("Evaluations", "EvaluationPosted", null, modelId);
    return Promise.all(evs.map(async (e) => {
      const id = Number(e.args.evaluationId);
      const ev = await this.read.Evaluations.evaluation(id);
      return { id, author: ev.author, score: Number(ev.score), up: Number(ev.upVotes), down: Number(ev.downVotes),
        exampleCid: ev.exampleCid, rated: account ? await this.read.Evaluations.hasRated(account, id) : false };
    }));
  }

  async market(modelId, account) {
    const m = this.read.ModelMarket;
    const [price, split, uses, canUse] = await Promise.all([m.priceOf(modelId), m.feeSplit(),
      account ? m.usesOf(account, modelId) : 0n, account ? m.canUse(account, modelId) : false]);
    const fee = (bps) => (price * BigInt(bps)) / BigInt(BPS);
    return { price, uses: Number(uses), canUse, split: {
      trainer: fee(split.trainerBps), curator: fee(split.curatorBps), data: fee(split.dataBps), treasury: fee(split.treasuryBps),
      bps: { trainer: Number(split.trainerBps), curator: Number(split.curatorBps), data: Number(split.dataBps), treasury: Number(split.treasuryBps) },
    } };
  }

  /** My rewards: staking + bonus (Rewards), market payouts owed, and data shares per (portfolio, data). */
  async rewards(account) {
    const mine = [];
    const nData = await this.count("DataNFT");
    const owned = (await Promise.all(Array.from({ length: nData }, async (_, i) =>
      ((await this.read.DataNFT.ownerOf(i + 1)).toLowerCase() === account.toLowerCase() ? i + 1 : 0)))).filter(Boolean);
    const nPort = await this.count("PortfolioNFT");
    for (let p = 1; p <= nPort; p++) {
      const [ids] = await this.read.PortfolioNFT.compositionOf(p);
      for (const d of ids.map(Number).filter((d) => owned.includes(d))) {
        const amount = await this.read.ModelMarket.claimable(p, d);
        if (amount > 0n) mine.push({ portfolioId: p, dataId: d, amount });
      }
    }
    const [earned, bonus, owed] = await Promise.all([this.read.Rewards.earned(account), this.read.Rewards.bonusOf(account),
      this.read.ModelMarket.owedOf(account)]);
    return { earned, bonus, owed, dataShares: mine };
  }

  async accessRequests() {
    const evs = await this.events("AccessRegistry", "AccessRequested");
    const approved = await this.events("AccessRegistry", "AccessApproved");
    const credOf = new Map(approved.map((e) => [Number(e.args.requestId), Number(e.args.credentialId)]));
    return Promise.all(evs.map(async (e) => {
      const id = Number(e.args.requestId);
      const r = await this.read.AccessRegistry.request(id);
      const dataOwner = await this.read.DataNFT.ownerOf(r.dataId);
      const credentialId = credOf.get(id) || 0;
      const cred = credentialId ? await this.read.AccessRegistry.credential(credentialId) : null;
      return { id, requester: r.requester, status: REQUEST_STATUS[Number(r.status)] || String(r.status),
        dataId: Number(r.dataId), purposeCid: r.purposeCid, dataOwner, credentialId,
        expiresAt: cred ? Number(cred.expiresAt) : 0, revoked: cred ? cred.revoked : false,
        valid: credentialId ? await this.read.AccessRegistry.isValid(credentialId) : false };
    }));
  }

  // -- writes ------------------------------------------------------------------------------------
  /** DataNFT.mint in whichever shape the deployed ABI has (decision 1: commitment, leafCount, digest, licence). */
  /** The field names of DataNFT's License struct in the deployed ABI. */
  licenseTerms() {
    return this.inputsOf("DataNFT", "mint").find((i) => i.name === "license").components.map((c) => c.name);
  }

  mintData({ commitment, leafCount, metadataCid, metadataDigest, price, bonus }) {
    const inputs = this.inputsOf("DataNFT", "mint");
    const license = this.licenseTerms().map((n) => ({ pricePerUse: price, bonusPerTrainingUse: bonus })[n] ?? 0n);
    if (inputs.length === 4) return this.request("DataNFT", "mint", [commitment, leafCount, metadataDigest, license]);
    // before decision 1 the leaf count is declared separately, as `datacap data register` does
    const req = this.request("DataNFT", "mint", [commitment, metadataCid, license]);
    req.next = (receipt) => {
      const ev = this.parseLogs(receipt, "DataNFT").find((e) => e.name === "DataRegistered");
      return this.request("PossessionChallenges", "registerLeafCount", [ev.args.tokenId, leafCount]);
    };
    return req;
  }

  /** The logs of a receipt that `contract` emitted, decoded. */
  parseLogs(receipt, contract) {
    const address = this.address(contract).toLowerCase();
    return receipt.logs.filter((l) => l.address.toLowerCase() === address)
      .map((l) => this.ifaces[contract].parseLog({ topics: l.topics, data: l.data })).filter(Boolean);
  }

  createPortfolio(dataIds, weights, metadataCid) {
    return this.request("PortfolioNFT", "create", [dataIds, weights, metadataCid]);
  }

  stake(account, role, assetId, amount) {
    return this.withAllowance(account, "Staking", amount, this.request("Staking", "stake", [role, assetId, amount]));
  }

  requestUnstake(role, assetId, amount) { return this.request("Staking", "requestUnstake", [role, assetId, amount]); }

  withdrawStake(role, assetId) { return this.request("Staking", "withdraw", [role, assetId]); }

  async proposeParam(account, target, fn, args, descriptionCid) {
    const data = this.ifaces[target].encodeFunctionData(fn, args);
    return this.withAllowance(account, "Governance", await this.read.Governance.proposalDeposit(),
      this.request("Governance", "proposeParamChange", [this.address(target), data, descriptionCid]));
  }

  async proposeSlash(account, party, role, assetId, amount, evidenceCid) {
    return this.withAllowance(account, "Governance", await this.read.Governance.proposalDeposit(),
      this.request("Governance", "proposeSlash", [party, role, assetId, amount, evidenceCid, await this.now()]));
  }

  vote(id, support) { return this.request("Governance", "castVote", [id, support]); }

  execute(id) { return this.request("Governance", "execute", [id]); }

  /** ModelMarket.useModel with a max price when the ABI has one (decision 3). */
  useModel(account, modelId, maxPrice) {
    const args = this.inputsOf("ModelMarket", "useModel").length === 2 ? [modelId, maxPrice] : [modelId];
    return this.withAllowance(account, "ModelMarket", maxPrice, this.request("ModelMarket", "useModel", args));
  }

  postEvaluation(modelId, exampleCid, score) { return this.request("Evaluations", "postEvaluation", [modelId, exampleCid, score]); }

  rate(evaluationId, up) { return this.request("Evaluations", "rate", [evaluationId, up]); }

  claimRewards() { return this.request("Rewards", "claim", []); }

  withdrawOwed() { return this.request("ModelMarket", "withdraw", []); }

  claimDataShare(portfolioId, dataId) { return this.request("ModelMarket", "claimDataShare", [portfolioId, dataId]); }

  requestAccess(dataId, purposeCid) { return this.request("AccessRegistry", "requestAccess", [dataId, purposeCid]); }

  approveAccess(requestId, seconds) { return this.request("AccessRegistry", "approve", [requestId, seconds]); }

  denyAccess(requestId, reasonCid) { return this.request("AccessRegistry", "deny", [requestId, reasonCid]); }

  revokeAccess(credentialId) { return this.request("AccessRegistry", "revoke", [credentialId]); }

  watchAssetParams() {
    return { type: "ERC20", options: { address: this.address("CapToken"), symbol: "CAP", decimals: 18 } };
  }
}

function popcount(bits) {
  let n = 0;
  for (let b = BigInt(bits); b > 0n; b >>= 1n) n += Number(b & 1n);
  return n;
}
