// Installed before any page script runs, in the page's own world (settle.install).
// pagekeep's page scripts run in an isolated world of their own (capture/isolated.py):
// the same document, their own JavaScript globals, so a page that replaces built-ins
// cannot break them. What they need from this world -- the activity tracker
// (js/activity.js), the reveal hold (js/reveal.js), autoconsent's state
// (js/consent_engine.js) -- they ask for with a "pagekeep:ask" event on the document
// (js/world.js); the answer goes back at once as the detail of a "pagekeep:answer"
// event, which the browser clones into the asking world. Every built-in used here is
// taken now, before the page's scripts run and can replace it.
(() => {
  try {
    if (window.__pkBridge) return;
    Object.defineProperty(window, "__pkBridge", { value: true, enumerable: false });
    const apply = Reflect.apply, doc = document, Custom = CustomEvent;
    const listen = EventTarget.prototype.addEventListener, dispatch = EventTarget.prototype.dispatchEvent;
    const detailOf = Object.getOwnPropertyDescriptor(CustomEvent.prototype, "detail").get;
    const answers = {
      __proto__: null,
      pk: () => !!window.__pk,
      snapshot: () => (window.__pk ? window.__pk.snapshot() : null),
      reveal: () => !!window.__pkReveal,
      hold: () => (window.__pkReveal ? window.__pkReveal.hold() : 0),
      listensToScroll: () => (window.__pkReveal ? window.__pkReveal.listensToScroll() : true),
      consent: () => {
        const st = window.__pkConsentState;
        return st ? { lifecycle: st.lifecycle, attempts: st.attempts, lastAttempt: st.lastAttempt } : null;
      },
    };
    const onAsk = (event) => {
      let value = null;
      try {
        const answer = answers[apply(detailOf, event, [])];
        if (answer) value = answer();
      } catch (e) { /* a page that broke pagekeep's state: no answer */ }
      apply(dispatch, doc, [new Custom("pagekeep:answer", { detail: value })]);
    };
    apply(listen, doc, ["pagekeep:ask", onAsk]);
    // document.open() (document.write after load) erases every listener on the document:
    // listen again once its children are replaced (adding the same listener twice is a no-op).
    new MutationObserver(() => apply(listen, doc, ["pagekeep:ask", onAsk])).observe(doc, { childList: true });
  } catch (e) { /* never the page's problem */ }
})();
