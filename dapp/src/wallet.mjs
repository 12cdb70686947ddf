// Wallets: EIP-6963 discovery (every announced wallet, late ones too), window.ethereum as fallback,
// live account / chain changes, switching (and adding) the chain, watchAsset. Wallet codes in words.

const WALLET_CODES = {
  4001: "You rejected the request in your wallet.",
  4100: "The wallet has not authorised this site: connect first.",
  4200: "The wallet does not support this request.",
  4900: "The wallet is disconnected from every network.",
  4901: "The wallet is not connected to this network.",
  4902: "This network is not in your wallet yet.",
  "-32002": "Your wallet already has a request waiting: open the wallet and answer it.",
  "-32603": "The wallet reported an internal error.",
};

/** A wallet error code in words (or null when the error carries no known code). */
export function walletMessage(err) {
  const code = err?.code ?? err?.error?.code ?? err?.info?.error?.code;
  return WALLET_CODES[String(code)] || null;
}

export class Wallets extends EventTarget {
  constructor() {
    super();
    this.found = []; // [{info: {uuid, name, icon, rdns}, provider}]
    this.provider = null;
    this.info = null;
    this.account = null;
    this.chainId = null;
    this._onAccounts = (accounts) => this._setAccount(accounts[0] || null);
    this._onChain = (id) => { this.chainId = Number(id); this._changed(); };
  }

  /** Start listening for announcements, then ask wallets to announce themselves (in that order). */
  discover() {
    window.addEventListener("eip6963:announceProvider", (ev) => {
      const { info, provider } = ev.detail || {};
      if (!info?.uuid || !provider || this.found.some((w) => w.info.uuid === info.uuid)) return;
      this.found.push({ info, provider });
      this._changed();
    });
    window.dispatchEvent(new Event("eip6963:requestProvider"));
  }

  /** Every wallet to offer: the announced ones, else window.ethereum (EIP-1193) when present. */
  choices() {
    if (this.found.length) return this.found;
    if (window.ethereum) return [{ info: { uuid: "window.ethereum", name: "Browser wallet", icon: "", rdns: "" }, provider: window.ethereum }];
    return [];
  }

  async connect(choice) {
    this._detach();
    this.provider = choice.provider;
    this.info = choice.info;
    this.provider.on?.("accountsChanged", this._onAccounts);
    this.provider.on?.("chainChanged", this._onChain);
    const accounts = await this.provider.request({ method: "eth_requestAccounts" });
    this.chainId = Number(await this.provider.request({ method: "eth_chainId" }));
    localStorage.setItem("datacap.wallet", choice.info.rdns || choice.info.name);
    this._setAccount(accounts[0] || null);
  }

  /** Reconnect silently (eth_accounts, no prompt) to the wallet used last time, once it announces itself. */
  async resume() {
    const last = localStorage.getItem("datacap.wallet");
    const choice = this.choices().find((w) => (w.info.rdns || w.info.name) === last);
    if (!choice || this.provider) return;
    const accounts = await choice.provider.request({ method: "eth_accounts" });
    if (accounts.length) await this.connect(choice);
  }

  disconnect() {
    this._detach();
    localStorage.removeItem("datacap.wallet");
    this.provider = this.info = this.account = this.chainId = null;
    this._changed();
  }

  /** Switch the wallet to the page's chain, adding it when the wallet answers 4902. */
  async switchTo(config) {
    try {
      await this.provider.request({ method: "wallet_switchEthereumChain", params: [{ chainId: config.chainIdHex }] });
    } catch (err) {
      if ((err?.code ?? err?.data?.originalError?.code) !== 4902) throw err;
      await this.provider.request({
        method: "wallet_addEthereumChain",
        params: [{ chainId: config.chainIdHex, chainName: chainName(config.chainId),
          nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: [config.nodeRpcUrl] }],
      });
    }
    this.chainId = Number(await this.provider.request({ method: "eth_chainId" }));
    this._changed();
  }

  watchAsset(params) { return this.provider.request({ method: "wallet_watchAsset", params }); }

  _setAccount(account) {
    this.account = account ? account.toLowerCase() : null;
    this._changed();
  }

  _detach() {
    this.provider?.removeListener?.("accountsChanged", this._onAccounts);
    this.provider?.removeListener?.("chainChanged", this._onChain);
  }

  _changed() { this.dispatchEvent(new Event("change")); }
}

export function chainName(id) {
  return { 1: "Ethereum", 11155111: "Sepolia", 31337: "Local Anvil", 1337: "Local Ganache" }[id] || `Chain ${id}`;
}
