// Installed before any page script runs: tracks what "the page is still busy" means
// to a reader: DOM content still arriving, and short timers still pending (a modal
// or the rest of the story scheduled a moment after load). Long or self-renewing
// timer chains (tickers, analytics pings), and nodes that change again and again
// without growing, are ignored after a few rounds so they cannot keep a capture
// waiting forever.
// The page's scripts run after this and may replace any built-in (Map, performance.now,
// Function.prototype.apply, iterators …): what the tracker calls later is taken now, and
// its own work never throws into the page's timers. pagekeep reads it from its isolated
// world through js/bridge.js (window.__pk.snapshot(); js/world.js waits on it).
(() => {
  if (window.__pk) return;
  try {
    const SHORT_MS = 4000, MAX_GEN = 3;
    const apply = Reflect.apply, perf = performance, perfNow = Performance.prototype.now;
    const now = () => apply(perfNow, perf, []);
    const realSet = window.setTimeout, realClear = window.clearTimeout, indirectEval = eval, toText = String, toNumber = Number;
    const timers = Object.create(null);   // id -> when it is due; not a Map, whose methods a page may replace
    const state = { lastMutation: now(), mutations: 0, gen: 0 };
    Object.defineProperty(window, "__pk", { value: state, enumerable: false });
    window.setTimeout = function (fn, ms, ...rest) {
      const gen = state.gen + 1;
      let id;
      const wrapped = function () {
        delete timers[id];
        const prev = state.gen;
        state.gen = gen;
        try {
          return typeof fn === "function" ? apply(fn, this, rest) : indirectEval(toText(fn));
        } finally {
          state.gen = prev;
        }
      };
      id = apply(realSet, window, [wrapped, ms]);
      try {
        const delay = toNumber(ms) || 0;
        if (delay <= SHORT_MS && gen <= MAX_GEN) timers[id] = now() + delay;
      } catch (e) { /* an odd delay: not counted */ }
      return id;
    };
    window.clearTimeout = function (id) {
      delete timers[id];
      return apply(realClear, window, [id]);
    };
    // Churn is not content arriving: a node changed again and again (a ticker, a clock, a
    // counter, a rotating carousel) stops counting once it is "hot" (HOT_AFTER changes within
    // HOT_MS), unless its text grows past the most it ever held by GROWTH characters (a story
    // or a live blog still streaming in keeps counting).
    const HOT_MS = 3000, HOT_AFTER = 4, GROWTH = 40;
    const seen = new WeakMap();   // node -> {n, since, most}
    const { get: seenGet, set: seenSet } = WeakMap.prototype;
    const textOf = Object.getOwnPropertyDescriptor(Node.prototype, "textContent").get;
    const textLength = (node) => { try { const t = apply(textOf, node, []); return t ? t.length : 0; } catch (e) { return 0; } };
    const arriving = (node, t) => {
      let s = apply(seenGet, seen, [node]);
      if (!s || t - s.since > HOT_MS) {
        s = { n: 0, since: t, most: s ? s.most : -1 };
        apply(seenSet, seen, [node, s]);
      }
      s.n++;
      if (s.n < HOT_AFTER) return true;
      const len = textLength(node);
      if (s.most < 0) s.most = len;
      if (len <= s.most + GROWTH) { if (len > s.most) s.most = len; return false; }
      s.most = len;
      return true;
    };
    new MutationObserver((records) => {
      const t = now();
      for (let i = 0; i < records.length; i++) {
        const r = records[i];
        if ((r.type === "childList" || r.type === "characterData") && arriving(r.target, t)) {
          state.lastMutation = t;
          state.mutations++;
          return;
        }
      }
    }).observe(document, { childList: true, subtree: true, characterData: true });
    state.snapshot = () => {
      const t = now();
      let pending = 0;
      for (const id in timers) {
        if (timers[id] < t - 1000) delete timers[id]; // throttled or lost: forget it
        else pending++;
      }
      return { quietFor: t - state.lastMutation, pendingTimers: pending, mutations: state.mutations };
    };
  } catch (e) { /* never the page's problem */ }
})();
