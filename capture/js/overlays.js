// Clear what stands between a reader and the article: modals (closed by their own
// button where one exists, else hidden), full-viewport layers, and scroll locks.
// Returns a list of what was done, for the capture notes.
(opts) => {
  const done = [];
  const vw = window.innerWidth, vh = window.innerHeight;
  const closeWords = /^(×|✕|✖|x|close|close dialog|close modal|dismiss|no,? thanks|not now|maybe later|skip|cancel|schließen|schliessen|fermer|cerrar|chiudi|sluiten|fechar|nein,? danke|non merci|no gracias|no grazie|nee,? bedankt|não,? obrigado)$/i;
  const proseChars = (el) => {
    let n = 0;
    for (const p of el.querySelectorAll("p")) n += p.textContent.trim().length;
    return n;
  };
  const visible = (el) => {
    const cs = getComputedStyle(el);
    if (cs.display === "none" || cs.visibility === "hidden" || Number(cs.opacity) === 0) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const coverage = (el) => {
    const r = el.getBoundingClientRect();
    const w = Math.max(0, Math.min(r.right, vw) - Math.max(r.left, 0));
    const h = Math.max(0, Math.min(r.bottom, vh) - Math.max(r.top, 0));
    return (w * h) / (vw * vh);
  };
  const hide = (el, why) => {
    el.style.setProperty("display", "none", "important");
    el.setAttribute("data-pk-removed", why);
    done.push(`hid ${why}: ${describe(el)}`);
  };
  const describe = (el) => {
    const id = el.id ? `#${el.id}` : "";
    const cls = typeof el.className === "string" && el.className.trim() ? "." + el.className.trim().split(/\s+/).slice(0, 2).join(".") : "";
    return `${el.tagName.toLowerCase()}${id}${cls}`;
  };
  const pageMain = document.querySelector("h1");
  // 1. Modal dialogs: prefer their own close control.
  const dialogs = new Set(document.querySelectorAll('[role=dialog], [role=alertdialog], [aria-modal=true], dialog[open], .modal.show, .modal.in, .modal.open, .modal.is-open'));
  for (const el of document.body ? document.body.querySelectorAll("*") : []) {
    const cs = getComputedStyle(el);
    if ((cs.position === "fixed" || cs.position === "sticky") && visible(el)) dialogs.add(el);
  }
  for (const el of dialogs) {
    if (!el.isConnected || !visible(el) || el.hasAttribute("data-pk-removed")) continue;
    const cs = getComputedStyle(el);
    const fixed = cs.position === "fixed" || el.matches("dialog[open]");
    const cover = coverage(el);
    const isDialog = el.matches('[role=dialog], [role=alertdialog], [aria-modal=true], dialog[open], .modal');
    // The page itself (or a column holding the story) is never an overlay.
    if ((pageMain && el.contains(pageMain) && proseChars(el) > 600) || proseChars(el) > 2500) continue;
    if (!(isDialog || (fixed && cover > 0.3))) continue;
    if (!isDialog && !fixed) continue;
    let closed = false;
    for (const b of el.querySelectorAll('button, [role=button], a, [aria-label], .close, [class*="close"]')) {
      const label = (b.getAttribute("aria-label") || b.getAttribute("title") || b.innerText || "").trim();
      if (closeWords.test(label) && visible(b) && !(b.tagName === "A" && /^https?:/.test(b.getAttribute("href") || ""))) {
        try { b.click(); closed = true; done.push(`closed ${describe(el)} with "${label}"`); } catch (e) {}
        break;
      }
    }
    if (!closed || visible(el)) {
      if (el.isConnected && visible(el)) hide(el, isDialog ? "dialog" : "overlay");
    }
  }
  // 2. Leftover backdrops: fixed, mostly empty layers over much of the viewport.
  for (const el of document.body ? document.body.querySelectorAll("*") : []) {
    const cs = getComputedStyle(el);
    if (cs.position !== "fixed" || !visible(el) || el.hasAttribute("data-pk-removed")) continue;
    if (coverage(el) > 0.5 && (el.innerText || "").trim().length < 200) hide(el, "backdrop");
  }
  // 3. Scroll locks on html/body.
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
    if (cs.height && el === document.body && cs.overflowY !== "visible" && el.scrollHeight > el.clientHeight + 5 && cs.height === `${vh}px`) {
      el.style.setProperty("height", "auto", "important");
    }
  }
  return done;
}
