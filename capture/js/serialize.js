// The rendered page as HTML. Open shadow roots are written in place as
// <template shadowrootmode="open"> (declarative shadow DOM), so text that web
// components render is stored and extracted like any other; a page without
// them is written as Playwright's page.content() writes it (doctype + outerHTML).
() => {
  const roots = [];
  const collect = (root) => {
    for (const el of root.querySelectorAll("*")) {
      if (el.shadowRoot && roots.length < 5000) { roots.push(el.shadowRoot); collect(el.shadowRoot); }
    }
  };
  collect(document);
  const html = document.documentElement;
  if (!html) return "";
  if (!roots.length || typeof html.getHTML !== "function") {
    return (document.doctype ? new XMLSerializer().serializeToString(document.doctype) : "") + html.outerHTML;
  }
  const attrs = Array.from(html.attributes).map((a) => ` ${a.name}="${a.value.replace(/&/g, "&amp;").replace(/"/g, "&quot;")}"`).join("");
  const doctype = document.doctype ? `<!DOCTYPE ${document.doctype.name}>` : "";
  return `${doctype}<html${attrs}>${html.getHTML({ serializableShadowRoots: true, shadowRoots: roots })}</html>`;
}
