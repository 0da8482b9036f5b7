// Installed before any page script runs: tracks what "the page is still busy" means
// to a reader: DOM content still arriving, and short timers still pending (a modal
// or the rest of the story scheduled a moment after load). Long or self-renewing
// timer chains (tickers, analytics pings) are ignored after a few generations so
// they cannot keep a capture waiting forever.
(() => {
  if (window.__pk) return;
  const SHORT_MS = 4000, MAX_GEN = 3;
  const state = { lastMutation: performance.now(), mutations: 0, timers: new Map(), gen: 0 };
  Object.defineProperty(window, "__pk", { value: state, enumerable: false });
  const realSet = window.setTimeout, realClear = window.clearTimeout;
  window.setTimeout = function (fn, ms, ...rest) {
    const delay = Number(ms) || 0;
    const gen = state.gen + 1;
    let id;
    const wrapped = function () {
      state.timers.delete(id);
      const prev = state.gen;
      state.gen = gen;
      try {
        return typeof fn === "function" ? fn.apply(this, rest) : (0, eval)(String(fn));
      } finally {
        state.gen = prev;
      }
    };
    id = realSet.call(window, wrapped, ms);
    if (delay <= SHORT_MS && gen <= MAX_GEN) state.timers.set(id, performance.now() + delay);
    return id;
  };
  window.clearTimeout = function (id) {
    state.timers.delete(id);
    return realClear.call(window, id);
  };
  const watch = () => {
    new MutationObserver((records) => {
      for (const r of records) {
        if (r.type === "childList" || r.type === "characterData") {
          state.lastMutation = performance.now();
          state.mutations++;
          return;
        }
      }
    }).observe(document, { childList: true, subtree: true, characterData: true });
  };
  watch();
  state.snapshot = () => {
    const now = performance.now();
    let pending = 0;
    for (const [id, due] of state.timers) {
      if (due < now - 1000) state.timers.delete(id); // throttled or lost: forget it
      else pending++;
    }
    return { quietFor: now - state.lastMutation, pendingTimers: pending, mutations: state.mutations };
  };
  // Waiting happens here, in the page, on timers the tracker does not count: one call
  // from pagekeep instead of a round trip through the driver every 100 ms.
  state.sleep = (ms) => new Promise((done) => realSet.call(window, done, ms));
  state.waitQuiet = async (quietMs, maxMs) => {
    const stop = performance.now() + maxMs;
    for (;;) {
      const snap = state.snapshot();
      snap.quiet = snap.quietFor >= quietMs && snap.pendingTimers === 0;
      if (snap.quiet || performance.now() >= stop) return snap;
      await state.sleep(Math.min(50, Math.max(1, stop - performance.now())));
    }
  };
})();
