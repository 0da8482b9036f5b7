// Clear what stands between a reader and the article, then release scroll locks.
// Two uses:
// - after the page settles (default): modals closed by their own button where one
//   exists, else hidden; leftover backdrops (fixed, mostly empty, over half the
//   viewport) hidden;
// - after a consent choice ({afterConsent: true, minCover}): banners marked
//   data-pk-consent that still show, and fixed or sticky layers over `minCover`
//   of the viewport holding little prose (a CMP's backdrop, a wall whose buttons
//   were not recognised), hidden.
// The story itself is never hidden. Returns what was done, for the capture notes.
(opts) => {
  opts = opts || {};
  const done = [];
  const vw = window.innerWidth, vh = window.innerHeight;
  const closeWords = /^(×|✕|✖|x|close|close dialog|close modal|dismiss|no,? thanks|not now|maybe later|skip|cancel|schließen|schliessen|fermer|cerrar|chiudi|sluiten|fechar|nein,? danke|non merci|no gracias|no grazie|nee,? bedankt|não,? obrigado)$/i;
  const proseChars = (el) => {
    let n = 0;
    for (const p of el.querySelectorAll("p")) n += (p.textContent || "").trim().length;
    return n;
  };
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
  const describe = (el) => {
    const id = el.id ? `#${el.id}` : "";
    const cls = typeof el.className === "string" && el.className.trim() ? "." + el.className.trim().split(/\s+/).slice(0, 2).join(".") : "";
    return `${el.tagName.toLowerCase()}${id}${cls}`;
  };
  const hide = (el, why) => {
    el.style.setProperty("display", "none", "important");
    el.setAttribute("data-pk-removed", why);
    done.push(`hid ${describe(el)} (${why})`);
  };
  const h1 = document.querySelector("h1");
  const isStory = (el, limit) => (h1 && el.contains(h1) && proseChars(el) > 600) || proseChars(el) > limit;
  const all = () => (document.body ? document.body.querySelectorAll("*") : []);

  const closeDialogs = () => {
    const dialogs = new Set(document.querySelectorAll('[role=dialog], [role=alertdialog], [aria-modal=true], dialog[open], .modal.show, .modal.in, .modal.open, .modal.is-open'));
    for (const el of all()) {
      const cs = getComputedStyle(el);
      if ((cs.position === "fixed" || cs.position === "sticky") && visible(el)) dialogs.add(el);
    }
    for (const el of dialogs) {
      if (!el.isConnected || !visible(el) || el.hasAttribute("data-pk-removed")) continue;
      const fixed = getComputedStyle(el).position === "fixed" || el.matches("dialog[open]");
      const isDialog = el.matches('[role=dialog], [role=alertdialog], [aria-modal=true], dialog[open], .modal');
      if (isStory(el, 2500) || !(isDialog || (fixed && coverage(el) > 0.3))) continue;
      let closed = false;
      for (const b of el.querySelectorAll('button, [role=button], a, [aria-label], .close, [class*="close"]')) {
        const label = (b.getAttribute("aria-label") || b.getAttribute("title") || b.innerText || "").trim();
        if (closeWords.test(label) && visible(b) && !(b.tagName === "A" && /^https?:/.test(b.getAttribute("href") || ""))) {
          try { b.click(); closed = true; done.push(`closed ${describe(el)} with "${label}"`); } catch (e) {}
          break;
        }
      }
      if ((!closed || visible(el)) && el.isConnected && visible(el)) hide(el, isDialog ? "dialog" : "overlay");
    }
    for (const el of all()) {
      if (getComputedStyle(el).position !== "fixed" || !visible(el) || el.hasAttribute("data-pk-removed")) continue;
      if (coverage(el) > 0.5 && (el.innerText || "").trim().length < 200) hide(el, "backdrop");
    }
  };

  const hideConsentLeftovers = (minCover) => {
    for (const el of document.querySelectorAll("[data-pk-consent]")) {
      if (visible(el) && !el.hasAttribute("data-pk-removed")) hide(el, "consent banner still showing");
    }
    for (const el of all()) {
      if (el.hasAttribute("data-pk-removed") || el.closest("[data-pk-removed]")) continue;
      const cs = getComputedStyle(el);
      if (cs.position !== "fixed" && cs.position !== "sticky") continue;
      if (!visible(el) || coverage(el) < minCover || isStory(el, 1500)) continue;
      hide(el, "layer over the viewport");
    }
  };

  const releaseScrollLocks = () => {
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
      if (el === document.body && cs.height === `${vh}px` && cs.overflowY !== "visible" && el.scrollHeight > el.clientHeight + 5) {
        el.style.setProperty("height", "auto", "important");
      }
    }
  };

  if (opts.afterConsent) hideConsentLeftovers(opts.minCover || 0.4);
  else closeDialogs();
  releaseScrollLocks();
  return done;
}
