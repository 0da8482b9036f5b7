// Before a full-page screenshot: pin fixed and sticky elements that sit in the top
// half of the viewport to where they are at the top of the page, so headers appear
// once instead of floating over the middle of the capture. Bottom-anchored bars are
// left alone: a full-page screenshot shows them once, at the bottom.
() => {
  const vh = window.innerHeight;
  let pinned = 0;
  window.scrollTo(0, 0);
  for (const el of document.body ? document.body.querySelectorAll("*") : []) {
    const cs = getComputedStyle(el);
    if (cs.position === "sticky") {
      el.style.setProperty("position", "relative", "important");
      el.style.setProperty("top", "auto", "important");
      pinned++;
    } else if (cs.position === "fixed") {
      const r = el.getBoundingClientRect();
      if (r.height === 0 || r.width === 0) continue;
      if (r.top < vh / 2) {
        el.style.setProperty("position", "absolute", "important");
        el.style.setProperty("top", `${r.top + window.scrollY}px`, "important");
        el.style.setProperty("bottom", "auto", "important");
        pinned++;
      }
    }
  }
  return { pinned };
}
