// Find the article as a real element: the smallest ancestor holding nearly all of
// the extracted paragraphs, widened to take in the headline when it sits just
// above. Marks it data-pk-article and returns its box in page coordinates.
(paragraphs) => {
  const norm = (s) => (s || "").replace(/\s+/g, " ").trim();
  const probes = paragraphs.map((p) => norm(p).slice(0, 80)).filter((p) => p.length >= 12);
  const blocks = [];
  const top = document.body || document.documentElement;  // a page may remove its own <body>
  if (!top) return null;
  for (const el of top.querySelectorAll("p, li, h1, h2, h3, h4, h5, h6, blockquote, pre, td, dd, figcaption, div, span, section")) {
    let own = false;
    for (const n of el.childNodes) if (n.nodeType === 3 && n.textContent.trim()) { own = true; break; }
    if (own) blocks.push([el, norm(el.textContent)]);
  }
  const hits = [];
  for (const probe of probes) {
    let best = null, bestLen = Infinity;
    for (const [el, text] of blocks) {
      if (text.length < bestLen && text.includes(probe)) { best = el; bestLen = text.length; }
    }
    if (best) hits.push(best);
  }
  const box = (el) => {
    const r = el.getBoundingClientRect();
    return { x: r.left + window.scrollX, y: r.top + window.scrollY, width: r.width, height: r.height };
  };
  let root = null;
  if (hits.length) {
    // Deepest ancestor of the first hit that contains at least 90% of hits.
    const need = Math.max(1, Math.ceil(hits.length * 0.9));
    for (let el = hits[0]; el; el = el.parentElement) {
      let n = 0;
      for (const h of hits) if (el.contains(h)) n++;
      if (n >= need) { root = el; break; }
    }
    if (root && root !== top) {
      const h1 = document.querySelector("h1");
      if (h1 && !root.contains(h1)) {
        const base = box(root);
        for (let el = root.parentElement; el && el !== top; el = el.parentElement) {
          if (el.contains(h1)) {
            const b = box(el);
            if (b.height <= base.height + 900 && b.width <= Math.max(base.width * 1.6, base.width + 200)) root = el;
            break;
          }
        }
      }
    }
  }
  if (!root) {
    // Not in this document: an article framed in a same-origin frame is that frame.
    for (const f of top.querySelectorAll("iframe[data-pk-framed], frame[data-pk-framed]")) {
      let text = "";
      try { text = norm(f.contentDocument && f.contentDocument.body ? f.contentDocument.body.textContent : ""); } catch (e) { /* cross-origin */ }
      if (text && probes.filter((p) => text.includes(p)).length * 2 >= probes.length) { root = f; break; }
    }
  }
  if (!root) root = document.querySelector("article, main, [role=main]") || top;
  root.setAttribute("data-pk-article", "1");
  const b = box(root);
  return { ...b, tag: root.tagName.toLowerCase(), found: hits.length, of: probes.length };
}
