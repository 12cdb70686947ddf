// A test EIP-6963 wallet: an EIP-1193 provider whose requests are answered by the test (Python, which
// signs with a local key and sends raw transactions to Anvil). Options come in window.__walletOptions.
(() => {
  const opts = window.__walletOptions || {};
  const listeners = {};
  const provider = {
    isTestWallet: true,
    async request({ method, params }) {
      const reply = JSON.parse(await window.__walletRequest(method, JSON.stringify(params || [])));
      if (reply.error) throw Object.assign(new Error(reply.error.message), reply.error);
      return reply.result;
    },
    on(ev, fn) { (listeners[ev] ||= []).push(fn); return provider; },
    removeListener(ev, fn) { listeners[ev] = (listeners[ev] || []).filter((f) => f !== fn); return provider; },
  };
  window.__testWallet = { emit: (ev, value) => (listeners[ev] || []).forEach((fn) => fn(value)) };
  const info = Object.freeze({ uuid: "6f2c1b3e-9a54-4c1e-8a44-0d7a1b2c3d4e", name: "Test Wallet", rdns: "org.datacap.testwallet",
    icon: "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Ccircle cx='8' cy='8' r='7' fill='%23f4b942'/%3E%3C/svg%3E" });
  const announce = () => window.dispatchEvent(new CustomEvent("eip6963:announceProvider", { detail: Object.freeze({ info, provider }) }));
  if (opts.announceAfterMs) {
    setTimeout(announce, opts.announceAfterMs); // a wallet that comes up late announces by itself
  } else {
    window.addEventListener("eip6963:requestProvider", announce);
    announce();
  }
})();
