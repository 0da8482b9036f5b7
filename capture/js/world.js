// Run once in pagekeep's isolated world of each document (capture/isolated.py), before
// pagekeep's page scripts. This world shares the page's document but not its globals,
// so the state pagekeep keeps in the page's own world is reached through js/bridge.js.
// The same names stand for it here -- window.__pk (the activity tracker),
// window.__pkReveal, window.__pkConsentState -- so a script reads them the same in
// either world; each is undefined when the page's world has no such state.
(() => {
  if (window.__pkWorld) return;
  Object.defineProperty(window, "__pkWorld", { value: true });
  // Listening only while asking: document.open() erases the document's listeners.
  const ask = (what) => {
    let answer;
    const got = (e) => { answer = e.detail; };
    document.addEventListener("pagekeep:answer", got);
    try {
      document.dispatchEvent(new CustomEvent("pagekeep:ask", { detail: what }));
    } finally {
      document.removeEventListener("pagekeep:answer", got);
    }
    return answer;
  };
  // Timers of this world are never the page's: the activity tracker does not count them.
  const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
  const pk = {
    snapshot: () => ask("snapshot"),
    sleep,
    // Waiting happens here, in the page: one call from pagekeep instead of a round trip
    // through the driver every 50 ms. null when the tracker is gone.
    waitQuiet: async (quietMs, maxMs) => {
      const stop = performance.now() + maxMs;
      for (;;) {
        const snap = ask("snapshot");
        if (!snap) return null;
        snap.quiet = snap.quietFor >= quietMs && snap.pendingTimers === 0;
        if (snap.quiet || performance.now() >= stop) return snap;
        await sleep(Math.min(50, Math.max(1, stop - performance.now())));
      }
    },
  };
  const reveal = { hold: () => ask("hold"), listensToScroll: () => ask("listensToScroll") };
  Object.defineProperty(window, "__pk", { get: () => (ask("pk") ? pk : undefined) });
  Object.defineProperty(window, "__pkReveal", { get: () => (ask("reveal") ? reveal : undefined) });
  Object.defineProperty(window, "__pkConsentState", { get: () => ask("consent") || undefined });
})();
