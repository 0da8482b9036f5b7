// pagekeep's own consent fallback for banners no autoconsent rule knows: find a
// visible layer that talks about cookies/consent/terms, press its refuse (or
// accept) button by its words in the main European languages; in reject mode a
// banner with no refusal path is hidden rather than accepted.
// Returns {found, action, button, banner} or {found: false}.
(mode) => {
  const topic = /(cookie|consent|gdpr|privacy|privacidad|privacidade|datenschutz|einwilligung|zustimm|confidentialit|consentement|consentimiento|consenso|riservatezza|toestemming|terms of use|agree to|tracking|personalis|personaliz)/i;
  const acceptWords = [
    "accept", "accept all", "accept all cookies", "accept cookies", "allow all", "allow all cookies", "allow", "allow cookies",
    "agree", "i agree", "agree and close", "agree & close", "i accept", "ok", "okay", "got it", "yes", "yes, i agree", "continue", "understood", "i understand",
    "alle akzeptieren", "akzeptieren", "alle cookies akzeptieren", "zustimmen", "alle zulassen", "einverstanden", "annehmen", "alle annehmen", "verstanden", "ich stimme zu", "zustimmen und weiter",
    "tout accepter", "accepter", "accepter tout", "j'accepte", "accepter et fermer", "d'accord", "oui", "ok pour moi",
    "aceptar", "aceptar todo", "aceptar todas", "aceptar cookies", "acepto", "de acuerdo", "vale",
    "accetta", "accetta tutto", "accetta tutti", "accetto", "accetta e chiudi", "ho capito",
    "accepteren", "alle accepteren", "alles accepteren", "akkoord", "ik ga akkoord", "toestaan",
    "aceitar", "aceitar todos", "aceitar tudo", "aceito", "concordo", "permitir todos",
  ];
  const rejectWords = [
    "reject", "reject all", "reject all cookies", "decline", "decline all", "deny", "deny all", "refuse", "refuse all", "disagree",
    "i do not agree", "do not accept", "no thanks", "no, thanks", "only necessary", "necessary only", "only essential", "essential only",
    "necessary cookies only", "use necessary cookies only", "only necessary cookies", "reject optional cookies", "reject non-essential",
    "continue without accepting", "continue without agreeing",
    "ablehnen", "alle ablehnen", "nur notwendige", "nur notwendige cookies", "nur essenzielle", "nur essenzielle cookies", "nur erforderliche cookies", "ohne zustimmung fortfahren", "nicht einverstanden",
    "tout refuser", "refuser", "refuser tout", "continuer sans accepter", "je refuse", "non merci",
    "rechazar", "rechazar todo", "rechazar todas", "solo necesarias", "solo las necesarias", "no acepto",
    "rifiuta", "rifiuta tutto", "rifiuta tutti", "solo necessari", "continua senza accettare", "non accetto",
    "weigeren", "alles weigeren", "alle weigeren", "alleen noodzakelijk", "alleen noodzakelijke cookies", "niet akkoord",
    "rejeitar", "rejeitar todos", "recusar", "recusar todos", "apenas necessários", "só necessários",
  ];
  const norm = (s) => (s || "").replace(/[\s\u00a0]+/g, " ").replace(/[!.›»→✓✔]+$/g, "").trim().toLowerCase();
  const visible = (el) => {
    const cs = getComputedStyle(el);
    if (cs.display === "none" || cs.visibility === "hidden" || Number(cs.opacity) === 0) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const layered = (el) => {
    for (let n = el; n && n !== document.documentElement; n = n.parentElement) {
      const cs = getComputedStyle(n);
      if (cs.position === "fixed" || cs.position === "sticky" || n.matches("dialog, [role=dialog], [aria-modal=true]")) return n;
      if (cs.position === "absolute" && Number(cs.zIndex) >= 100) return n;
    }
    return null;
  };
  const buttonsIn = (root) => Array.from(root.querySelectorAll(
    "button, [role=button], input[type=button], input[type=submit], a"
  )).filter(visible);
  const label = (b) => norm(b.innerText || b.value || b.getAttribute("aria-label") || b.title);
  // Candidate banners: layered elements whose own text speaks of consent.
  const banners = new Set();
  for (const b of buttonsIn(document.body || document.documentElement)) {
    const l = label(b);
    if (!l || l.length > 45) continue;
    if (!acceptWords.includes(l) && !rejectWords.includes(l)) continue;
    const layer = layered(b);
    if (!layer || !visible(layer)) continue;
    const text = (layer.innerText || "").slice(0, 4000);
    if (topic.test(text)) banners.add(layer);
  }
  for (const banner of banners) {
    const buttons = buttonsIn(banner);
    const find = (words) => buttons.find((b) => words.includes(label(b)) && !(b.tagName === "A" && /^https?:/.test(b.getAttribute("href") || "") && new URL(b.href).pathname !== location.pathname));
    const reject = find(rejectWords), accept = find(acceptWords);
    banner.setAttribute("data-pk-consent", "1");
    const desc = banner.id ? `#${banner.id}` : (typeof banner.className === "string" && banner.className ? "." + banner.className.trim().split(/\s+/)[0] : banner.tagName.toLowerCase());
    if (mode === "reject" && reject) {
      reject.click();
      return { found: true, action: "reject", button: label(reject), banner: desc };
    }
    if (mode === "accept" && accept) {
      accept.click();
      return { found: true, action: "accept", button: label(accept), banner: desc };
    }
    if (mode === "accept" && reject) {
      reject.click();
      return { found: true, action: "reject", button: label(reject), banner: desc };
    }
    banner.style.setProperty("display", "none", "important");
    banner.setAttribute("data-pk-removed", "consent");
    return { found: true, action: "hide", button: null, banner: desc };
  }
  return { found: false };
}
