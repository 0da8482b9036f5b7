// Mark what a reader cannot see (display:none, visibility:hidden, transparent,
// clipped screen-reader text, off-screen) so extraction ignores it. Hidden
// subtrees are skipped whole, which keeps this fast on large pages.
//
// Visible elements that hold text, and block containers, also get their layout
// as data attributes, so extraction (capture/extract.py) can use what a reader
// sees -- the main column, font sizes -- offline from the stored rendered HTML:
//   data-pk-box="x,y,w,h"  page coordinates in CSS px (rounded)
//   data-pk-fs="16"        computed font size in px (text-holding elements)
//   data-pk-fw="700"       font weight, when bold (>= 600)
// Open shadow roots are walked too, and the documents of visible same-origin frames
// (their boxes in the top page's coordinates): serialize.js writes both into the stored page.
// Attributes are written after the walk so reading styles never interleaves with writes.
() => {
  let marked = 0;
  const CONTAINERS = new Set(["DIV", "SECTION", "ARTICLE", "MAIN", "ASIDE", "NAV", "HEADER", "FOOTER", "UL", "OL",
    "TABLE", "FIGURE", "BLOCKQUOTE", "FORM", "DL", "BODY", "CENTER", "TD"]);
  const hiddenEls = [];
  const layout = [];
  const sx = window.scrollX, sy = window.scrollY;
  const shadowRoots = [];  // open shadow roots (web components): walked after the document
  const frames = [];       // [document, x offset, y offset] of visible same-origin frames
  const framedEls = [];    // their <iframe>/<frame> elements, marked data-pk-framed for serialize.js
  let ox = sx, oy = sy;    // page coordinates of the walked document's viewport origin
  let styleOf = (el) => getComputedStyle(el);
  const frameAnswered = (doc) => {  // not an error page ("404 Not Found" is not part of the story)
    try {
      const nav = doc.defaultView.performance.getEntriesByType("navigation")[0];
      return !nav || !nav.responseStatus || nav.responseStatus < 400;
    } catch (e) { return true; }
  };
  const filter = {
    acceptNode(el) {
      if (el.shadowRoot) shadowRoots.push(el.shadowRoot);
      const tag = el.tagName;
      if (tag === "SCRIPT" || tag === "STYLE" || tag === "TEMPLATE" || tag === "NOSCRIPT") return NodeFilter.FILTER_REJECT;
      const cs = styleOf(el);
      let hidden = cs.display === "none" || cs.visibility === "hidden" || cs.visibility === "collapse"
        || (Number(cs.opacity) === 0 && el.children.length + el.textContent.length > 0);
      let r = null;
      if (!hidden && cs.display !== "contents") {
        r = el.getBoundingClientRect();
        const clipped = (r.width <= 1 || r.height <= 1) && (cs.overflow === "hidden" || cs.clip !== "auto" || cs.clipPath !== "none");
        const offscreen = r.right < -50 || r.bottom < -50 - window.scrollY || r.left > document.documentElement.scrollWidth + 50;
        const collapsed = r.height === 0 && cs.overflow === "hidden" && el.textContent.trim().length > 0;
        hidden = clipped || offscreen || collapsed;
      }
      if (hidden) {
        hiddenEls.push(el);
        marked++;
        return NodeFilter.FILTER_REJECT;
      }
      if (r && (tag === "IFRAME" || tag === "FRAME") && frames.length < 50 && r.width >= 400 && r.height >= 300) {
        // A frame big enough to hold a story, loaded from the page's own site (not an ad or
        // widget written into about:blank or srcdoc): its document is read as part of the page.
        let doc = null;
        try { doc = el.contentDocument; } catch (e) { /* cross-origin */ }
        if (doc && doc.body && /^https?:$/.test(doc.location.protocol) && frameAnswered(doc)) {
          frames.push([doc, ox + r.left + el.clientLeft, oy + r.top + el.clientTop]);
          framedEls.push(el);
        }
      }
      if (r) {
        let own = false;
        for (const n of el.childNodes) if (n.nodeType === 3 && n.nodeValue.trim()) { own = true; break; }
        if (own || (CONTAINERS.has(tag) && r.width > 0 && r.height > 0)) {
          const fw = parseInt(cs.fontWeight, 10) || 400;
          layout.push([el, `${Math.round(r.left + ox)},${Math.round(r.top + oy)},${Math.round(r.width)},${Math.round(r.height)}`,
            own ? String(Math.round(parseFloat(cs.fontSize) || 0)) : null, own && fw >= 600 ? String(fw) : null]);
        }
      }
      return NodeFilter.FILTER_SKIP;
    },
  };
  const walk = (root) => { const w = (root.ownerDocument || document).createTreeWalker(root, NodeFilter.SHOW_ELEMENT, filter); while (w.nextNode()) {} };
  const top = document.body || document.documentElement;  // a page may remove its own <body>
  if (top) walk(top);
  for (let i = 0; i < shadowRoots.length && i < 5000; i++) walk(shadowRoots[i]);
  for (let i = 0; i < frames.length; i++) {
    const [doc, x, y] = frames[i];
    ox = x; oy = y;
    styleOf = (el) => doc.defaultView.getComputedStyle(el);
    try { walk(doc.body); } catch (e) { /* the frame went away */ }
  }
  for (const el of hiddenEls) el.setAttribute("data-pk-hidden", "1");
  for (const el of framedEls) el.setAttribute("data-pk-framed", "1");
  for (const [el, box, fs, fw] of layout) {
    el.setAttribute("data-pk-box", box);
    if (fs) el.setAttribute("data-pk-fs", fs);
    if (fw) el.setAttribute("data-pk-fw", fw);
  }
  return marked;
}
