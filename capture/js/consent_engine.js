// Init script (every frame, before the page's own scripts): loads DuckDuckGo's
// autoconsent content script and connects it to pagekeep through the binding
// window.__pkConsentMessage (capture/consent.py answers "init" and "eval").
// The bundle is spliced in by consent.py where the marker below stands; it is
// read from the installed duckduckgo-autoconsent-py package, never copied here.
//
// Three details keep a page without a banner cheap:
// - autoconsent's own timers (detection retries, waits) must not look like the
//   page being busy to pagekeep's activity tracker (js/activity.js), so the
//   bundle runs with the original setTimeout captured here, or, when the
//   tracker was installed first, with timers it does not count;
// - only messages the capture needs cross to Python (no per-step reports);
// - once the capture is past consent, autoconsent stops looking (window.__pkConsentStop).
(() => {
  if (window.__pkConsentEngine) return;
  if (!/^https?:$/.test(location.protocol)) return;  // about:blank, data: and srcdoc frames hold no CMP
  Object.defineProperty(window, "__pkConsentEngine", { value: true, enumerable: false });

  const realSet = window.setTimeout, realClear = window.clearTimeout;
  // Once pagekeep is done with consent (consent.finish), autoconsent's timers never fire:
  // it stops retrying its detection after every DOM change for the rest of the capture.
  let stopped = false;
  Object.defineProperty(window, "__pkConsentStop", { value: () => { stopped = true; }, enumerable: false });
  const setT = function (fn, ms, ...rest) {
    if (stopped) return 0;
    const pk = window.__pk;
    if (!pk || typeof pk.gen !== "number") return realSet.call(window, fn, ms, ...rest);
    const g = pk.gen;
    pk.gen = 1e9;  // beyond the tracker's generation limit: not "pending page work"
    try { return realSet.call(window, fn, ms, ...rest); } finally { pk.gen = g; }
  };
  const clearT = function (id) { return realClear.call(window, id); };

  const FORWARD = new Set(["init", "eval", "cmpDetected", "popupFound", "optOutResult", "optInResult",
                           "autoconsentDone", "autoconsentError", "selfTestResult"]);
  // Where autoconsent stands in this frame. Python reads it when it needs to know whether
  // autoconsent has already looked at the page as it is now (consent.py, handle()), so
  // only lifecycle changes and the first look cross over as messages, not every retry.
  const state = { lifecycle: "", attempts: 0, lastAttempt: null };
  Object.defineProperty(window, "__pkConsentState", { value: state, enumerable: false });
  window.autoconsentSendMessage = (msg) => {
    if (!msg || typeof msg !== "object") return Promise.resolve();
    if (msg.type === "report") {
      const st = msg.state || {};
      const lc = st.lifecycle, n = st.findCmpAttempts || 0;
      if (!lc || lc === "loading" || lc === "waitingForInitResponse") return Promise.resolve();
      const news = lc !== state.lifecycle || (state.attempts === 0 && n > 0);
      if (n !== state.attempts) state.lastAttempt = performance.now();
      state.lifecycle = lc;
      state.attempts = n;
      if (!news) return Promise.resolve();
      msg = { type: "report", lifecycle: lc, attempts: n };
    } else if (!FORWARD.has(msg.type)) {
      return Promise.resolve();
    }
    const send = window.__pkConsentMessage;
    if (typeof send !== "function") return Promise.resolve();
    try {
      return Promise.resolve(send(msg)).catch(() => {});
    } catch (e) {
      return Promise.resolve();
    }
  };

  (function (setTimeout, clearTimeout) {
    /*__AUTOCONSENT_BUNDLE__*/
  }).call(window, setT, clearT);
})();
