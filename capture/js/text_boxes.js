// Where the extracted text is drawn, measured just before the full-page screenshot.
//
// Called as ({paragraphs, maxWords}) after the page is laid out for the shot
// (sticky bars pinned, scrolled to the top). Builds the visible text of the page
// the way extraction reads it (hidden and removed subtrees, scripts, form
// controls and images left out; open shadow roots in place; whitespace
// collapsed, <br> a space), finds each paragraph in it in order and returns,
// per paragraph, the boxes of its words in page pixels with UTF-16 offsets
// inside the paragraph:  {w: [[start, end, x, y, w, h], ...]}
// or, when the words cannot be measured or the paragraph is not found as is,
// the box of the block of page text it starts with:  {b: [x, y, w, h]}  (or null).
// The result comes back as a JSON string. A few probe words are kept (as live Ranges) for ({probe: true}), which
// re-measures them after the screenshot to tell whether the layout moved.
(args) => {
  const KEY = Symbol.for("pagekeep.textBoxProbes");
  const sx = window.scrollX, sy = window.scrollY;
  // `off`: where the viewport of the node's document sits in the top one (a framed article).
  const rectOf = (r, off) => [Math.round((r.left + sx + off[0]) * 10) / 10,
                              Math.round((r.top + sy + off[1]) * 10) / 10,
                              Math.round(r.width * 10) / 10, Math.round(r.height * 10) / 10];
  if (args.probe) {
    const probes = window[KEY] || [];
    delete window[KEY];
    return probes.map(({ range, before, off }) => {
      const r = range.getBoundingClientRect();
      return r.width || r.height ? { before, after: rectOf(r, off) } : { before, after: null };
    });
  }
  const SKIP = new Set(["SCRIPT", "STYLE", "TEMPLATE", "SVG", "MATH", "CANVAS", "IFRAME", "OBJECT", "EMBED",
    "VIDEO", "AUDIO", "SELECT", "OPTION", "TEXTAREA", "INPUT", "BUTTON", "HEAD", "TITLE", "NOSCRIPT", "MAP",
    "SOURCE", "PICTURE", "IMG"]);
  // Python's str.isspace() set, which is what extraction collapses.
  const isSpace = (c) => c === 32 || (c >= 9 && c <= 13) || (c >= 0x1c && c <= 0x1f) || c === 0x85 || c === 0xa0
    || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f
    || c === 0x205f || c === 0x3000;
  const nodes = [];
  const offs = [];   // per text node: its document's viewport origin in the top one
  const chars = [];
  let nodeOf = new Int32Array(4096), offOf = new Int32Array(4096);
  let n = 0, lastSpace = true;
  const push = (code, node, off) => {
    if (n === nodeOf.length) {
      const a = new Int32Array(n * 2); a.set(nodeOf); nodeOf = a;
      const b = new Int32Array(n * 2); b.set(offOf); offOf = b;
    }
    chars.push(code); nodeOf[n] = node; offOf[n] = off; n++;
  };
  const walk = (parent, off) => {
    for (let child = parent.firstChild; child; child = child.nextSibling) {
      if (child.nodeType === 3) {
        const data = child.data;
        const idx = nodes.length;
        nodes.push(child);
        offs.push(off);
        for (let i = 0; i < data.length; i++) {
          const c = data.charCodeAt(i);
          if (isSpace(c)) {
            if (!lastSpace) { push(32, -1, 0); lastSpace = true; }
          } else { push(c, idx, i); lastSpace = false; }
        }
      } else if (child.nodeType === 1) {
        const tag = child.tagName.toUpperCase();
        if (tag === "BR") { if (!lastSpace) { push(32, -1, 0); lastSpace = true; } continue; }
        if (child.hasAttribute("data-pk-framed")) {  // a framed article, read as part of the page (visibility.js)
          try {
            const r = child.getBoundingClientRect(), body = child.contentDocument.body;
            if (body) walk(body, [off[0] + r.left + child.clientLeft, off[1] + r.top + child.clientTop]);
          } catch (e) { /* the frame went away */ }
          continue;
        }
        if (SKIP.has(tag) || child.hasAttribute("data-pk-hidden") || child.hasAttribute("data-pk-removed")) continue;
        if (child.shadowRoot) walk(child.shadowRoot, off);
        walk(child, off);
      }
    }
  };
  if (document.body) walk(document.body, [0, 0]);
  let text = "";
  for (let i = 0; i < n; i += 8192) text += String.fromCharCode.apply(null, chars.slice(i, i + 8192));

  const ideographic = (c) => (c >= 0x3000 && c <= 0x9fff) || (c >= 0xac00 && c <= 0xd7af)
    || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xff00 && c <= 0xffef);
  const range = document.createRange();
  let words = 0;
  const measureWords = (pos, len) => {
    const out = [];
    let i = pos;
    const end = pos + len;
    while (i < end) {
      if (nodeOf[i] < 0) { i++; continue; }
      // A word: one text node, no space. Chinese, Japanese and Korean are written without
      // spaces, so each of their characters is measured as a word of its own.
      let j = i;
      if (!ideographic(chars[i])) while (j + 1 < end && nodeOf[j + 1] === nodeOf[i] && !ideographic(chars[j + 1])) j++;
      const node = nodes[nodeOf[i]];
      range.setStart(node, offOf[i]);
      range.setEnd(node, offOf[j] + 1);
      for (const r of range.getClientRects()) {
        if (r.width > 0 && r.height > 0) out.push([i - pos, j + 1 - pos, ...rectOf(r, offs[nodeOf[i]])]);
      }
      words++;
      i = j + 1;
    }
    return out;
  };
  const blockBox = (pos, len) => {
    const a = pos, b = Math.min(n, pos + len) - 1;
    let s = a, e = b;
    while (s <= e && nodeOf[s] < 0) s++;
    while (e >= s && nodeOf[e] < 0) e--;
    if (s > e) return null;
    range.setStart(nodes[nodeOf[s]], offOf[s]);
    range.setEnd(nodes[nodeOf[e]], offOf[e] + 1);
    const r = range.getBoundingClientRect();
    return r.width > 0 && r.height > 0 ? rectOf(r, offs[nodeOf[s]]) : null;
  };

  const paras = [], where = [];
  let cursor = 0;
  for (const p of args.paragraphs) {
    let pos = text.indexOf(p, cursor);
    if (pos < 0) pos = text.indexOf(p);
    where.push(pos);
    if (pos >= 0) {
      cursor = pos + p.length;
      const w = words < args.maxWords ? measureWords(pos, p.length) : [];
      if (w.length) { paras.push({ w }); continue; }
      const b = blockBox(pos, p.length);
      paras.push(b ? { b } : null);
      continue;
    }
    // Not found as is (the page changed since extraction, or text was joined differently):
    // the block that starts like it, marked as a block.
    const head = p.slice(0, 40);
    const at = head.length >= 8 ? text.indexOf(head, cursor) : -1;
    const b = at >= 0 ? blockBox(at, p.length) : null;
    paras.push(b ? { b } : null);
  }

  // Probe words spread over the article, re-measured after the screenshot.
  const probes = [];
  const measured = paras.map((p, i) => [p, i]).filter(([p]) => p && p.w);
  const picks = new Set([0, 0.25, 0.5, 0.75, 1].map((f) => Math.round(f * (measured.length - 1))));
  for (const k of picks) {
    if (k < 0 || !measured[k]) continue;
    const [p, i] = measured[k];
    const wordAt = p.w[Math.floor(p.w.length / 2)];
    const pos = where[i];
    const s = pos + wordAt[0], e = pos + wordAt[1] - 1;
    if (nodeOf[s] < 0 || nodeOf[e] < 0) continue;
    const r = document.createRange();
    r.setStart(nodes[nodeOf[s]], offOf[s]);
    r.setEnd(nodes[nodeOf[e]], offOf[e] + 1);
    const box = r.getBoundingClientRect(), off = offs[nodeOf[s]];
    probes.push({ range: r, before: rectOf(box, off), off });
  }
  window[KEY] = probes;
  // One JSON string: Playwright hands a string over far cheaper than thousands of numbers.
  return JSON.stringify({ paras, words, probes: probes.length, scale: window.devicePixelRatio || 1 });
}
