// Installed before any page script runs. Pages that reveal content as the reader
// scrolls (paragraphs that fade in, embeds that load) often hide it again once it
// leaves the viewport. After pagekeep has scrolled through, __pkReveal.hold()
// tells every IntersectionObserver that its targets are in view and drops later
// "left the view" reports, so the text and the full-page screenshot keep what a
// reader saw while scrolling. It also notes whether the page listens to scrolling
// itself: a page that does not can have its lazy parts revealed without scrolling
// (js/scroll.js), which spares the browser drawing every screenful on the way down.
// Built-ins used after the page's scripts have run are taken now (a page may replace them).
(() => {
  const Real = window.IntersectionObserver;
  if (!Real || window.__pkReveal) return;
  const apply = Reflect.apply, perf = performance, perfNow = Performance.prototype.now;
  const rectOf = Element.prototype.getBoundingClientRect;
  const { add, delete: remove, clear, forEach } = Set.prototype;
  const { has: wasTold, add: markTold } = WeakSet.prototype;
  const isConnected = Object.getOwnPropertyDescriptor(Node.prototype, "isConnected").get;
  const quietly = (fn, self, args) => { try { apply(fn, self, args); } catch (e) { /* bookkeeping never breaks the page */ } };
  const observers = new Set();
  let scrollListeners = 0;
  try {
    const realAdd = EventTarget.prototype.addEventListener;
    const pageScroll = (t) => t === window || t === document || t === document.documentElement || t === document.body;
    EventTarget.prototype.addEventListener = function (type) {
      if ((type === "scroll" || type === "wheel" || type === "mousewheel") && pageScroll(this)) scrollListeners++;
      return apply(realAdd, this, arguments);
    };
  } catch (e) { /* a frozen prototype: the page will be scrolled through */ }
  const listensToScroll = () => scrollListeners > 0 || !!(window.onscroll || document.onscroll ||
    (document.body && document.body.onscroll) || window.onwheel || document.onwheel);
  let holding = false;
  const told_ = new WeakSet();  // targets already told: a later hold tells only new ones
  class Observer extends Real {
    constructor(callback, options) {
      super((entries, observer) => {
        let shown = entries;
        if (holding) {
          shown = [];
          for (let i = 0; i < entries.length; i++) if (entries[i].isIntersecting) shown[shown.length] = entries[i];
        }
        if (shown.length) return apply(callback, observer, [shown, observer]);
      }, options);
      this.__pkCallback = callback;
      this.__pkTargets = new Set();
      quietly(add, observers, [this]);
    }
    observe(target) { quietly(add, this.__pkTargets, [target]); return super.observe(target); }
    unobserve(target) { quietly(remove, this.__pkTargets, [target]); return super.unobserve(target); }
    disconnect() { quietly(clear, this.__pkTargets, []); quietly(remove, observers, [this]); return super.disconnect(); }
  }
  window.IntersectionObserver = Observer;
  const hold = () => {
    holding = true;
    let told = 0;
    const all = [];
    apply(forEach, observers, [(observer) => { all[all.length] = observer; }]);
    for (let i = 0; i < all.length; i++) {
      const observer = all[i], entries = [];
      apply(forEach, observer.__pkTargets, [(target) => {
        if (!apply(isConnected, target, []) || apply(wasTold, told_, [target])) return;
        apply(markTold, told_, [target]);
        const box = apply(rectOf, target, []);
        entries[entries.length] = { target, isIntersecting: true, intersectionRatio: 1, boundingClientRect: box,
                                    intersectionRect: box, rootBounds: null, time: apply(perfNow, perf, []), isVisible: true };
      }]);
      if (!entries.length) continue;
      try { apply(observer.__pkCallback, observer, [entries, observer]); told += entries.length; } catch (e) { /* the page's bug */ }
    }
    return told;
  };
  Object.defineProperty(window, "__pkReveal", { value: { hold, listensToScroll }, enumerable: false });
})();
