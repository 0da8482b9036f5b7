// The rendered page as HTML. Open shadow roots are written in place as
// <template shadowrootmode="open"> (declarative shadow DOM), so text that web
// components render is stored and extracted like any other; a page without
// them is written as Playwright's page.content() writes it (doctype + outerHTML).
// The documents of the frames js/visibility.js read as part of the page (marked
// data-pk-framed: big, visible, same-origin) are written in place of their
// <iframe>/<frame> element, as a <div data-pk-frame="src">, so an article that a
// page frames from its own site is stored and extracted too.
() => {
  const MARK = "data-pk-frame-id";
  const framed = [];  // documents of visible same-origin frames, in marking order
  const markFrames = (doc, depth) => {
    if (depth > 2) return;
    for (const f of doc.querySelectorAll("iframe[data-pk-framed], frame[data-pk-framed]")) {
      if (framed.length >= 50) continue;
      let inner = null;
      try { inner = f.contentDocument; } catch (e) { /* cross-origin */ }
      if (!inner || !inner.body || !inner.body.textContent.trim()) continue;
      f.setAttribute(MARK, String(framed.length));
      framed.push(inner);
      markFrames(inner, depth + 1);
    }
  };
  markFrames(document, 0);
  const roots = [];
  const collect = (root) => {
    for (const el of root.querySelectorAll("*")) {
      if (el.shadowRoot && roots.length < 5000) { roots.push(el.shadowRoot); collect(el.shadowRoot); }
    }
  };
  collect(document);
  const html = document.documentElement;
  if (!html) return "";
  let out;
  if (!roots.length || typeof html.getHTML !== "function") {
    out = (document.doctype ? new XMLSerializer().serializeToString(document.doctype) : "") + html.outerHTML;
  } else {
    const attrs = Array.from(html.attributes).map((a) => ` ${a.name}="${a.value.replace(/&/g, "&amp;").replace(/"/g, "&quot;")}"`).join("");
    const doctype = document.doctype ? `<!DOCTYPE ${document.doctype.name}>` : "";
    out = `${doctype}<html${attrs}>${html.getHTML({ serializableShadowRoots: true, shadowRoots: roots })}</html>`;
  }
  if (!framed.length) return out;
  // Replace each marked frame element (its tag through its end tag) by its document's body.
  // Its src is copied as serialized, so already escaped for an attribute.
  const inline = (text) => text.replace(/<(iframe|frame)\b[^>]*?data-pk-frame-id="(\d+)"[^>]*>(?:[\s\S]*?<\/\1>)?/gi, (m, tag, id) => {
    const doc = framed[Number(id)];
    const src = (m.match(/\ssrc="([^"]*)"/) || [])[1] || "";
    return `<div data-pk-frame="${src}">${doc && doc.body ? inline(doc.body.innerHTML) : ""}</div>`;
  });
  out = inline(out).replace(/<frameset\b[^>]*>/gi, "<div>").replace(/<\/frameset>/gi, "</div>");
  for (const f of document.querySelectorAll(`[${MARK}]`)) f.removeAttribute(MARK);
  for (const doc of framed) for (const f of doc.querySelectorAll(`[${MARK}]`)) f.removeAttribute(MARK);
  return out;
}
