// Click controls that reveal the rest of an article in place ("Continue reading",
// "Weiterlesen", "Lire la suite" …). Links that lead to another page are never
// clicked, nor controls in navigation, comments or teaser lists. Returns the count.
() => {
  const words = [
    "continue reading", "keep reading", "read more", "read full article", "read the full article",
    "read full story", "read the full story", "show full article", "show full story", "view full article",
    "show more", "read the rest", "expand article", "expand", "full story",
    "weiterlesen", "mehr lesen", "artikel weiterlesen", "ganzen artikel lesen", "mehr anzeigen",
    "lire la suite", "lire plus", "afficher la suite", "voir plus", "continuer la lecture", "lire l'article",
    "leer más", "seguir leyendo", "continuar leyendo", "ver más", "mostrar más", "leer artículo completo",
    "continua a leggere", "leggi di più", "leggi tutto", "mostra di più", "continua",
    "verder lezen", "lees meer", "meer lezen", "toon meer", "lees verder",
    "continuar lendo", "continuar a ler", "leia mais", "ler mais", "ver mais", "mostrar mais",
  ];
  const norm = (s) => (s || "").replace(/[\s\u00a0]+/g, " ").replace(/[›»→…\.\+▼▾⌄↓]+/g, "").trim().toLowerCase();
  const avoid = /^(comments?|related|recommend\w*|teasers?|footer|nav|navbar|navigation|menu|sidebar|newsletter|promo|share|sharing|social|cookies?|consent)$/;
  const navigates = (el) => {
    if (el.tagName !== "A") return false;
    const href = (el.getAttribute("href") || "").trim();
    if (!href || href === "#" || href.startsWith("javascript:")) return false;
    if (href.startsWith("#")) return false;
    try {
      const u = new URL(href, location.href);
      return !(u.origin === location.origin && u.pathname === location.pathname && u.search === location.search);
    } catch (e) { return true; }
  };
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const cs = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && cs.visibility !== "hidden" && cs.display !== "none";
  };
  const nearProse = (el) => {
    let node = el.parentElement;
    for (let i = 0; node && i < 5; i++, node = node.parentElement) if (prose(node) > 200) return true;
    return false;
  };
  // Teasers, comments and navigation around the control rule it out; the search
  // stops at the first ancestor holding real prose (the article itself, whose
  // class names say nothing about the control).
  const prose = (el) => {
    let chars = 0;
    for (const p of el.querySelectorAll("p")) chars += p.textContent.trim().length;
    return chars;
  };
  const inAvoided = (el) => {
    for (let n = el; n && n !== document.body; n = n.parentElement) {
      if (n !== el && prose(n) > 600) return false;
      if (["NAV", "HEADER", "FOOTER", "ASIDE"].includes(n.tagName)) return true;
      const tokens = `${n.id || ""} ${typeof n.className === "string" ? n.className : ""}`.toLowerCase().split(/[\s_-]+/);
      if (tokens.some((t) => avoid.test(t))) return true;
    }
    return false;
  };
  const candidates = document.querySelectorAll(
    "button, [role=button], a, input[type=button], input[type=submit], summary, span[tabindex], div[tabindex]"
  );
  let clicked = 0;
  for (const el of candidates) {
    if (el.dataset.pkExpanded) continue;
    const label = norm(el.innerText || el.value || el.getAttribute("aria-label"));
    if (!label || label.length > 40 || !words.includes(label)) continue;
    if (el.closest("form") && el.type === "submit") continue;
    if (navigates(el) || !visible(el) || inAvoided(el) || !nearProse(el)) continue;
    el.dataset.pkExpanded = "1";
    try { el.click(); clicked++; } catch (e) {}
  }
  return clicked;
}
