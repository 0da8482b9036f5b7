// After a consent choice (or when a banner could not be answered): hide what
// still covers the viewport, then release scroll locks.
// - layers marked as consent banners that are still visible;
// - fixed or sticky layers over a large share of the viewport (a CMP's
//   backdrop, a wall whose buttons were not recognised) that hold little prose,
//   so the story itself is never hidden;
// - overflow:hidden / position:fixed locks on html and body.
// Returns a list of what was done, for the capture notes.
(opts) => {
  const minCover = (opts && opts.minCover) || 0.4;
  const done = [];
  const vw = window.innerWidth, vh = window.innerHeight;
  const visible = (el) => {
    const cs = getComputedStyle(el);
    if (cs.display === "none" || cs.visibility === "hidden" || Number(cs.opacity) === 0) return false;
    const r = el.getBoundingClientRect();
    return r.width > 1 && r.height > 1;
  };
  const coverage = (el) => {
    const r = el.getBoundingClientRect();
    const w = Math.max(0, Math.min(r.right, vw) - Math.max(r.left, 0));
    const h = Math.max(0, Math.min(r.bottom, vh) - Math.max(r.top, 0));
    return (w * h) / (vw * vh);
  };
  const proseChars = (el) => {
    let n = 0;
    for (const p of el.querySelectorAll("p")) n += (p.textContent || "").trim().length;
    return n;
  };
  const describe = (el) => {
    const id = el.id ? `#${el.id}` : "";
    const cls = typeof el.className === "string" && el.className.trim() ? "." + el.className.trim().split(/\s+/)[0] : "";
    return `${el.tagName.toLowerCase()}${id}${cls}`;
  };
  const hide = (el, why) => {
    el.style.setProperty("display", "none", "important");
    el.setAttribute("data-pk-removed", why);
    done.push(`hid ${describe(el)} (${why})`);
  };
  const h1 = document.querySelector("h1");
  for (const el of document.querySelectorAll("[data-pk-consent]")) {
    if (visible(el) && !el.hasAttribute("data-pk-removed")) hide(el, "consent banner still showing");
  }
  for (const el of document.body ? document.body.querySelectorAll("*") : []) {
    if (el.hasAttribute("data-pk-removed") || el.closest("[data-pk-removed]")) continue;
    const cs = getComputedStyle(el);
    if (cs.position !== "fixed" && cs.position !== "sticky") continue;
    if (!visible(el) || coverage(el) < minCover) continue;
    if ((h1 && el.contains(h1) && proseChars(el) > 600) || proseChars(el) > 1500) continue;
    hide(el, "layer over the viewport");
  }
  for (const el of [document.documentElement, document.body]) {
    if (!el) continue;
    const cs = getComputedStyle(el);
    if (cs.overflow === "hidden" || cs.overflowY === "hidden") {
      el.style.setProperty("overflow", "visible", "important");
      el.style.setProperty("overflow-y", "visible", "important");
      done.push(`released scroll lock on ${el.tagName.toLowerCase()}`);
    }
    if (el === document.body && cs.position === "fixed") {
      el.style.setProperty("position", "static", "important");
      el.style.setProperty("top", "auto", "important");
      done.push("released position:fixed on body");
    }
  }
  return done;
}
