// pagekeep's own consent fallback, for banners no autoconsent rule knows.
// Finds a visible layer (fixed/sticky/dialog, or an in-flow consent block with
// both choices) that speaks of cookies/consent, then presses its refuse (or
// accept) button, recognised by its words in English, German, French, Spanish,
// Italian, Dutch, Portuguese, Polish, Swedish, Danish, Norwegian, Finnish,
// Czech, Hungarian, Romanian, Greek and Turkish. Open shadow roots are searched
// too. A layer that plainly speaks of cookies but whose buttons are in a
// language we do not know is hidden. In reject mode a banner without a refusal
// path is hidden, never accepted.
//
// opts: {mode: "reject"|"accept", dry: bool, frame: bool}
//   dry:   only report what is still showing (nothing is clicked or hidden)
//   frame: this document is a (cross-origin) frame; its body may be the banner
// Returns {found, action, button, banner, clicked, frames, visible}
(opts) => {
  const mode = (opts && opts.mode) || "reject";
  const dry = !!(opts && opts.dry);
  const inFrame = !!(opts && opts.frame);
  const vw = window.innerWidth, vh = window.innerHeight;

  // What the layer says (its own words, not its links' or buttons'): consent
  // vocabulary, or privacy vocabulary together with a yes/no choice.
  const strongTopic = new RegExp([
    "cookie", "consent", "gdpr", "dsgvo", "rgpd", "einwillig", "zustimm", "einverstanden", "consentement", "consentimiento",
    "consentimento", "consenso", "toestemming", "traceurs", "rastreadores", "tracking technolog", "tracker",
    // notice-only bars ("By using this site, you agree to the Privacy Policy")
    "you agree to", "by using (?:this|our) (?:site|website|service)", "by continuing to (?:use|browse)",
    "mit der nutzung (?:dieser|unserer) (?:seite|website)", "stimmen sie", "vous acceptez", "en poursuivant votre navigation",
    "en continuant", "aceptas", "acepta el uso", "al continuar", "si continúa", "accetti", "proseguendo la navigazione",
    "gaat u akkoord", "ga je akkoord", "door verder te (?:gaan|surfen)", "ao continuar", "concorda com",
    // further languages' words for cookies and consent
    "zgod[ayę]", "kakor", "samtyck", "samtykke", "informasjonskapsl", "eväste", "suostumu", "souhlas", "sütik", "süti",
    "hozzájárul", "consimț", "consimt", "συγκατάθεσ", "çerez",
  ].join("|"), "i");
  // For layers whose buttons we cannot read: only the word for cookies (or consent law) will do.
  const cookieTopic = /cookie|kakor|eväste|süti|çerez|informasjonskapsl|ciasteczk|küpsis|piškot|kolačić|slapuk|sīkdat|クッキー|쿠키|куки|gdpr|rgpd|dsgvo|consent/i;
  const weakTopic = /(privacy|privacidad|privacidade|confidentialit|datenschutz|privatsph|riservatezza|personalis|personaliz|partenaires|partners|fornitori|proveedores|parceiros|vendors)/i;

  // Labels are matched whole, after normalisation (lower case, single spaces,
  // no trailing punctuation/arrows, straight apostrophes).
  const R = (parts) => new RegExp("^(?:" + parts.join("|") + ")$", "i");
  const rejectRe = R([
    // English
    "reject(?: all)?(?: cookies)?", "reject (?:optional|non-essential|nonessential|additional|all non-essential|unnecessary) cookies",
    "decline(?: all)?(?: cookies)?", "deny(?: all)?(?: cookies)?", "refuse(?: all)?(?: cookies)?", "disagree(?: and close)?",
    "i (?:do not|don't) (?:agree|accept|consent)", "(?:do not|don't) (?:agree|accept|consent)", "no,? thanks", "no,? thank you",
    "(?:use |allow |accept )?(?:only |just )?(?:strictly )?(?:necessary|essential|required|functional)(?: cookies)?(?: only)?",
    "continue without (?:accepting|agreeing|consent|consenting)(?: cookies)?", "reject and close", "opt[ -]out",
    // German
    "(?:alle |alles )?ablehnen", "(?:alle )?cookies ablehnen", "ablehnen und (?:schließen|schliessen|weiter)", "(?:alle )?verweigern",
    "(?:nur )?(?:technisch )?(?:notwendige|erforderliche|essenzielle|essentielle|funktionale)(?: cookies)?(?: verwenden| akzeptieren| zulassen| erlauben)?",
    "nur (?:notwendige|erforderliche|essenzielle|essentielle)(?: cookies)?",
    "(?:weiter |fortfahren )?ohne (?:zustimmung|einwilligung|akzeptieren)(?: fortfahren| weiter)?", "nicht (?:einverstanden|zustimmen)",
    // French
    "(?:tout )?refuser(?: tout)?(?: et (?:fermer|continuer))?", "refuser (?:les|tous les) cookies", "je refuse", "non,? merci",
    "continuer sans accepter", "(?:accepter )?(?:uniquement|seulement) (?:les )?(?:cookies )?(?:nécessaires|necessaires|essentiels|strictement nécessaires)",
    "(?:cookies )?(?:strictement )?(?:nécessaires|essentiels) (?:uniquement|seulement)", "interdire(?: tout)?",
    // Spanish
    "rechazar(?: todo| todas| todos)?(?: las cookies)?", "rechazar cookies", "no acepto", "denegar(?: todo| todas)?",
    "(?:aceptar )?(?:solo|sólo|solamente) (?:las )?(?:cookies )?(?:necesarias|esenciales|técnicas)", "continuar sin aceptar",
    // Italian
    "rifiuta(?: tutto| tutti)?(?: i cookie)?", "rifiuto", "non accetto", "nega(?: tutto| tutti)?",
    "(?:accetta )?(?:solo|soltanto) (?:i )?(?:cookie )?(?:necessari|essenziali|tecnici)", "continua senza accettare",
    // Dutch
    "(?:alles |alle )?weigeren", "(?:alle )?cookies weigeren", "(?:alles )?afwijzen", "niet akkoord",
    "(?:alleen |enkel )?(?:noodzakelijke|functionele|essentiële|essentiele) cookies(?: accepteren| toestaan)?",
    "(?:alleen|enkel) (?:noodzakelijk|noodzakelijke|functioneel|functionele)(?: cookies)?", "ga verder zonder (?:te )?accepteren",
    // Portuguese
    "rejeitar(?: todos| tudo)?(?: os cookies)?", "recusar(?: todos| tudo)?(?: os cookies)?", "não aceito", "nao aceito",
    "(?:aceitar )?(?:apenas|só|somente) (?:os )?(?:cookies )?(?:necessários|necessarios|essenciais)", "continuar sem aceitar",
    // Polish
    "odrzuć(?: wszystkie| wszystko)?", "odrzucam", "nie zgadzam się", "(?:akceptuj |zezwól na )?tylko niezbędne(?: pliki cookie)?",
    // Swedish
    "(?:avvisa|neka|avböj)(?: alla)?(?: cookies| kakor)?", "(?:tillåt |godkänn |acceptera )?(?:endast|bara) nödvändiga(?: cookies| kakor)?",
    // Danish, Norwegian
    "afvis(?: alle)?(?: cookies)?", "(?:avvis|avslå)(?: alle)?(?: informasjonskapsler)?",
    "(?:tillad |tillat |godta |accepter )?(?:kun|bare) nødvendige(?: cookies| informasjonskapsler)?",
    // Finnish
    "hylkää(?: kaikki)?(?: evästeet)?", "kieltäydy", "(?:salli |hyväksy )?vain välttämättömät(?: evästeet)?",
    // Czech
    "odmítnout(?: vše| všechny| vse)?(?: cookies)?", "odmítám", "nesouhlasím", "(?:povolit |přijmout )?(?:pouze|jen) nezbytné(?: cookies)?",
    // Hungarian
    "elutasít(?:om|ás)?(?: mindet| az összeset)?", "(?:az )?összes elutasítása", "(?:csak|kizárólag) a szükséges(?: sütik)?(?: elfogadása)?",
    // Romanian
    "(?:respinge|refuză|refuza)(?: tot| toate)?", "refuz", "(?:accept |acceptă )?(?:doar|numai) (?:cele )?necesare",
    // Greek
    "απόρριψη(?: όλων)?", "απορρίπτω", "(?:μόνο|αποδοχή μόνο) (?:των |τα )?απαραίτητ(?:α|ων)",
    // Turkish
    "(?:tümünü |hepsini )?reddet(?: hepsini| tümünü)?", "(?:yalnızca|sadece) (?:gerekli|zorunlu)(?: çerezler)?(?:i kabul et)?",
  ]);
  const acceptRe = R([
    "accept(?: all)?(?: cookies)?", "accept all cookies", "accept (?:&|and) (?:close|continue)", "allow(?: all)?(?: cookies)?",
    "agree(?: and (?:close|continue)| & close)?", "i agree", "i accept", "ok", "okay", "got it", "yes,? i agree", "yes", "consent",
    "understood", "i understand", "continue", "accept and continue",
    "(?:alle |alles )?akzeptieren", "alle cookies akzeptieren", "(?:allen |allem )?zustimmen(?: und weiter)?", "alle zulassen",
    "einverstanden", "(?:alle )?annehmen", "verstanden", "ich stimme zu", "akzeptieren und (?:schließen|schliessen|weiter)",
    "(?:tout )?accepter(?: tout)?(?: et (?:fermer|continuer))?", "accepter les cookies", "j'accepte", "d'accord", "oui", "ok pour moi",
    "aceptar(?: todo| todas| todos)?(?: las cookies)?", "acepto", "de acuerdo", "vale", "aceptar y (?:cerrar|continuar)", "permitir todas?",
    "accetta(?: tutto| tutti)?(?: i cookie)?", "accetto", "accetta e (?:chiudi|continua)", "ho capito", "consenti(?: tutti)?",
    "(?:alles |alle )?accepteren", "(?:alle )?cookies accepteren", "akkoord", "ik ga akkoord", "(?:alles )?toestaan",
    "aceitar(?: todos| tudo)?(?: os cookies)?", "aceito", "concordo", "permitir (?:todos|tudo)", "aceitar e fechar",
    "(?:za)?akceptuj(?:ę)?(?: wszystkie| wszystko)?", "zgadzam się", "zezwól na wszystkie", "przejdź do serwisu",
    "(?:godkänn|acceptera|tillåt)(?: alla)?(?: cookies| kakor)?", "jag godkänner",
    "accepter(?: alle)?(?: cookies)?", "tillad alle(?: cookies)?", "jeg accepterer", "(?:godta|aksepter|tillat)(?: alle)?", "jeg godtar",
    "hyväksy(?: kaikki)?(?: evästeet)?", "hyväksyn", "salli kaikki(?: evästeet)?",
    "přijmout(?: vše| všechny)?(?: cookies)?", "souhlasím", "povolit vše", "rozumím",
    "elfogad(?:om|ás)(?: mindet)?", "(?:az )?összes elfogadása", "mindet elfogadom", "egyetértek",
    "acceptă(?: tot| toate)?", "acceptați(?: tot| toate)?", "accept toate", "sunt de acord", "permite toate",
    "αποδοχή(?: όλων)?", "αποδέχομαι", "συμφωνώ",
    "(?:tümünü |hepsini )?kabul et(?: hepsini| tümünü)?", "kabul ediyorum", "onaylıyorum", "anladım",
  ]);

  const norm = (s) => (s || "").replace(/[\u2018\u2019\u00b4`]/g, "'").replace(/[\s\u00a0]+/g, " ")
    .replace(/^[\s"'«»“”]+|[\s"'«»“”!.:›»→✓✔×]+$/g, "").trim().toLowerCase();
  const visible = (el) => {
    if (!el || !el.isConnected) return false;
    const cs = getComputedStyle(el);
    if (cs.display === "none" || cs.visibility === "hidden" || Number(cs.opacity) === 0) return false;
    const r = el.getBoundingClientRect();
    return r.width > 1 && r.height > 1;
  };
  const up = (n) => n.parentElement || (n.parentNode && n.parentNode.host) || null;
  const deepAll = (root, out = []) => {
    for (const el of root.querySelectorAll("*")) {
      out.push(el);
      if (el.shadowRoot) deepAll(el.shadowRoot, out);
    }
    return out;
  };
  const ownText = (el) => {
    const parts = [];
    const walk = (root) => {
      const w = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let n = w.nextNode(); n; n = w.nextNode()) {
        const p = n.parentElement;
        if (p && !p.closest("a, button, [role=button], script, style")) parts.push(n.nodeValue);
      }
      for (const h of root.querySelectorAll("*")) if (h.shadowRoot) walk(h.shadowRoot);
    };
    walk(el);
    return parts.join(" ").slice(0, 6000);
  };
  const speaksOfConsent = (el) => {
    const t = ownText(el);
    if (strongTopic.test(t)) return true;
    if (!weakTopic.test(t)) return false;
    const kinds = new Set(deepAll(el).filter(isButton).map((x) => kindOf(label(x))));
    return kinds.has("reject") && kinds.has("accept");
  };
  const deepText = (el) => {
    let t = el.innerText || "";
    for (const h of [el, ...el.querySelectorAll("*")]) if (h.shadowRoot) t += " " + (h.shadowRoot.textContent || "");
    return t.slice(0, 6000);
  };
  const coverage = (el) => {
    const r = el.getBoundingClientRect();
    const w = Math.max(0, Math.min(r.right, vw) - Math.max(r.left, 0));
    const h = Math.max(0, Math.min(r.bottom, vh) - Math.max(r.top, 0));
    return (w * h) / (vw * vh);
  };
  const describe = (el) => {
    if (el === document.body) return inFrame ? `frame ${location.host}` : "body";
    const id = el.id ? `#${el.id}` : "";
    const cls = typeof el.className === "string" && el.className.trim() ? "." + el.className.trim().split(/\s+/)[0] : "";
    return `${el.tagName.toLowerCase()}${id}${cls}`;
  };
  const layered = (el) => {
    for (let n = el; n && n !== document.documentElement && n !== document.body; n = up(n)) {
      if (!(n instanceof Element)) continue;
      const cs = getComputedStyle(n);
      if (cs.position === "fixed" || cs.position === "sticky") return n;
      if (n.matches("dialog, [role=dialog], [role=alertdialog], [aria-modal=true]")) return n;
      if (cs.position === "absolute" && Number(cs.zIndex) >= 100) return n;
    }
    return null;
  };
  const proseChars = (el) => {
    let n = 0;
    for (const p of el.querySelectorAll("p")) n += (p.textContent || "").trim().length;
    return n;
  };
  const isButton = (el) => el.matches("button, [role=button], input[type=button], input[type=submit], a, [tabindex]");
  const label = (b) => {
    const raw = (b.tagName === "INPUT" ? b.value : b.textContent) || b.getAttribute("aria-label") || b.title || "";
    return raw.length > 80 ? "" : norm(raw);
  };
  const leavesPage = (b) => b.tagName === "A" && /^https?:/.test(b.getAttribute("href") || "") &&
    (() => { try { const u = new URL(b.href); return u.origin !== location.origin || u.pathname !== location.pathname; } catch (e) { return false; } })();
  const kindOf = (l) => rejectRe.test(l) ? "reject" : acceptRe.test(l) ? "accept" : null;

  // A consent block that is not a layer: a small container whose text speaks of
  // consent and that offers both an accept and a reject button (consent walls
  // sometimes sit in the page flow where the article would be).
  const block = (b) => {
    let n = up(b);
    for (let i = 0; n && i < 8 && n !== document.body && n !== document.documentElement; i++, n = up(n)) {
      const text = deepText(n);
      if (text.length > 3000) return null;
      if (!speaksOfConsent(n)) continue;
      const kinds = new Set(deepAll(n).filter(isButton).map((x) => kindOf(label(x))));
      if (kinds.has("reject") && kinds.has("accept")) return n;
    }
    return null;
  };

  const all = deepAll(document.body || document.documentElement);
  const candidates = [];
  const unknownTongue = [];  // layers about cookies whose buttons we cannot read
  for (const b of all) {
    if (!isButton(b) || b.closest("[data-pk-removed]")) continue;
    const l = label(b);
    if (!l || !visible(b)) continue;
    if (!kindOf(l)) {
      if (leavesPage(b)) continue;
      const layer = layered(b);
      if (layer && visible(layer) && proseChars(layer) <= 1500 && deepText(layer).length < 3000 &&
          cookieTopic.test(ownText(layer)) && !unknownTongue.includes(layer)) unknownTongue.push(layer);
      continue;
    }
    let layer = layered(b) || block(b);
    if (!layer && inFrame && document.body && deepText(document.body).length < 4000) layer = document.body;
    if (!layer || !visible(layer)) continue;
    if (layer !== document.body && proseChars(layer) > 1500) continue;  // the story itself is never a banner
    if (!speaksOfConsent(layer)) continue;
    if (!candidates.includes(layer)) candidates.push(layer);
  }
  for (const layer of unknownTongue) if (!candidates.includes(layer)) candidates.push(layer);
  // Iframes shown in a layer or over much of the viewport: a banner may live inside.
  const frames = [];
  if (!inFrame) {
    for (const f of all) {
      if (f.tagName !== "IFRAME" || !visible(f) || f.closest("[data-pk-removed]")) continue;
      const cover = coverage(f);
      if (cover < 0.01) continue;
      if (layered(f) || cover > 0.25) {
        f.setAttribute("data-pk-consent-frame", String(frames.length));
        frames.push({ index: frames.length, cover: Math.round(cover * 100) / 100 });
      }
    }
  }
  const stillVisible = Array.from(document.querySelectorAll("[data-pk-consent]")).filter(visible).length;
  if (dry) {
    return { found: candidates.length > 0, banners: candidates.map(describe), visible: stillVisible, frames };
  }
  for (const banner of candidates) {
    const buttons = deepAll(banner).filter((b) => isButton(b) && visible(b) && !leavesPage(b));
    const find = (kind) => buttons.find((b) => kindOf(label(b)) === kind);
    const reject = find("reject"), accept = find("accept");
    const desc = describe(banner);
    if (banner !== document.body) banner.setAttribute("data-pk-consent", "1");
    let press = null, action = null;
    if (mode === "accept" && accept) { press = accept; action = "accept"; }
    else if (reject) { press = reject; action = "reject"; }
    if (press) {
      press.click();
      return { found: true, action, button: label(press), banner: desc, clicked: true, frames };
    }
    if (banner !== document.body) {
      banner.style.setProperty("display", "none", "important");
      banner.setAttribute("data-pk-removed", "consent");
    }
    return { found: true, action: "hide", button: null, banner: desc, clicked: false, frames };
  }
  return { found: false, frames, visible: stillVisible };
}
