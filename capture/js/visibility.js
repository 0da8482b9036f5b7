// Mark what a reader cannot see (display:none, visibility:hidden, transparent,
// clipped screen-reader text, off-screen) so extraction ignores it. Hidden
// subtrees are skipped whole, which keeps this fast on large pages.
() => {
  let marked = 0;
  const walker = document.createTreeWalker(document.body || document.documentElement, NodeFilter.SHOW_ELEMENT, {
    acceptNode(el) {
      const tag = el.tagName;
      if (tag === "SCRIPT" || tag === "STYLE" || tag === "TEMPLATE" || tag === "NOSCRIPT") return NodeFilter.FILTER_REJECT;
      const cs = getComputedStyle(el);
      let hidden = cs.display === "none" || cs.visibility === "hidden" || cs.visibility === "collapse"
        || (Number(cs.opacity) === 0 && el.children.length + el.textContent.length > 0);
      if (!hidden && cs.display !== "contents") {
        const r = el.getBoundingClientRect();
        const clipped = (r.width <= 1 || r.height <= 1) && (cs.overflow === "hidden" || cs.clip !== "auto" || cs.clipPath !== "none");
        const offscreen = r.right < -50 || r.bottom < -50 - window.scrollY || r.left > document.documentElement.scrollWidth + 50;
        const collapsed = r.height === 0 && cs.overflow === "hidden" && el.textContent.trim().length > 0;
        hidden = clipped || offscreen || collapsed;
      }
      if (hidden) {
        el.setAttribute("data-pk-hidden", "1");
        marked++;
        return NodeFilter.FILTER_REJECT;
      }
      return NodeFilter.FILTER_SKIP;
    },
  });
  while (walker.nextNode()) {}
  return marked;
}
