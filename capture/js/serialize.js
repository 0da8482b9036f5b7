// The rendered page as HTML, with open shadow roots written in place as
// <template shadowrootmode="open"> (declarative shadow DOM), so text that web
// components render is stored and extracted like any other. Returns null when
// the page has no shadow roots (page.content() is then used as before) or the
// browser cannot serialize them.
() => {
  const roots = [];
  const collect = (root) => {
    for (const el of root.querySelectorAll("*")) {
      if (el.shadowRoot && roots.length < 5000) { roots.push(el.shadowRoot); collect(el.shadowRoot); }
    }
  };
  collect(document);
  const html = document.documentElement;
  if (!roots.length || !html || typeof html.getHTML !== "function") return null;
  const attrs = Array.from(html.attributes).map((a) => ` ${a.name}="${a.value.replace(/&/g, "&amp;").replace(/"/g, "&quot;")}"`).join("");
  const doctype = document.doctype ? `<!DOCTYPE ${document.doctype.name}>` : "";
  return `${doctype}<html${attrs}>${html.getHTML({ serializableShadowRoots: true, shadowRoots: roots })}</html>`;
}
