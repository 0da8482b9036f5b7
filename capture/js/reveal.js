// Installed before any page script runs. Pages that reveal content as the reader
// scrolls (paragraphs that fade in, embeds that load) often hide it again once it
// leaves the viewport. After pagekeep has scrolled through, __pkReveal.hold()
// tells every IntersectionObserver that its targets are in view and drops later
// "left the view" reports, so the text and the full-page screenshot keep what a
// reader saw while scrolling. It also notes whether the page listens to scrolling
// itself: a page that does not can have its lazy parts revealed without scrolling
// (js/scroll.js), which spares the browser drawing every screenful on the way down.
(() => {
  const Real = window.IntersectionObserver;
  if (!Real || window.__pkReveal) return;
  const observers = new Set();
  let scrollListeners = 0;
  try {
    const realAdd = EventTarget.prototype.addEventListener;
    const pageScroll = (t) => t === window || t === document || t === document.documentElement || t === document.body;
    EventTarget.prototype.addEventListener = function (type, ...rest) {
      if ((type === "scroll" || type === "wheel" || type === "mousewheel") && pageScroll(this)) scrollListeners++;
      return realAdd.call(this, type, ...rest);
    };
  } catch (e) { /* a frozen prototype: the page will be scrolled through */ }
  const listensToScroll = () => scrollListeners > 0 || !!(window.onscroll || document.onscroll ||
    (document.body && document.body.onscroll) || window.onwheel || document.onwheel);
  let holding = false;
  const told_ = new WeakSet();  // targets already told: a later hold tells only new ones
  class Observer extends Real {
    constructor(callback, options) {
      super((entries, observer) => {
        const shown = holding ? entries.filter((e) => e.isIntersecting) : entries;
        if (shown.length) return callback.call(observer, shown, observer);
      }, options);
      this.__pkCallback = callback;
      this.__pkTargets = new Set();
      observers.add(this);
    }
    observe(target) { this.__pkTargets.add(target); return super.observe(target); }
    unobserve(target) { this.__pkTargets.delete(target); return super.unobserve(target); }
    disconnect() { this.__pkTargets.clear(); observers.delete(this); return super.disconnect(); }
  }
  window.IntersectionObserver = Observer;
  const hold = () => {
    holding = true;
    let told = 0;
    for (const observer of Array.from(observers)) {
      const fresh = Array.from(observer.__pkTargets).filter((t) => t.isConnected && !told_.has(t));
      fresh.forEach((t) => told_.add(t));
      const entries = fresh.map((target) => {
        const box = target.getBoundingClientRect();
        return { target, isIntersecting: true, intersectionRatio: 1, boundingClientRect: box, intersectionRect: box,
                 rootBounds: null, time: performance.now(), isVisible: true };
      });
      if (!entries.length) continue;
      try { observer.__pkCallback.call(observer, entries, observer); told += entries.length; } catch (e) { /* the page's bug */ }
    }
    return told;
  };
  Object.defineProperty(window, "__pkReveal", { value: { hold, listensToScroll }, enumerable: false });
})();
