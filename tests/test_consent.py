"""Consent banners: every common CMP, in iframes and shadow DOM, gone from the capture.

The fixture pages in tests/site/consent/ mimic the DOM, the JavaScript API and
the behaviour of the CMPs news sites use (OneTrust, Sourcepoint in a
cross-origin iframe, Cookiebot, Usercentrics in a shadow root, Didomi,
Quantcast/InMobi, Google Funding Choices, consentmanager), plus a home-made
German banner, a consent wall that loads the article only after a choice, a
banner that arrives seconds after load, and a page with no banner. Every
consent UI is magenta: the tests look at the stored screenshot's pixels and
the stored text, and at what the page itself saw (the fixture writes the
choice made on <html data-pk-fixture-choice>), not only at what the engine
says about itself.

Real Chromium, real SQLite: batches go through capture_urls (and the CLI).
"""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import re
import subprocess
import sys
import time

import pytest

from capture import consent, store
from capture.consent_config import ConsentConfigError, ConsentPolicy, load_policy, parse_rules
from capture.localsite import Site
from capture.pipeline import CaptureOptions
from capture.runner import capture_urls

from consent_helpers import BANNER, MANIFEST, SP_DIR, article_text, page_url
from pixels import count_near, screenshot
from textmetrics import token_f1

MAX_BANNER_PIXELS = 60       # JPEG noise may leave a few near-magenta pixels; a banner leaves tens of thousands
PAGES = list(MANIFEST)
BANNER_PAGES = [p for p in PAGES if MANIFEST[p]["cmp"]]
CHOICE_PAGES = [p for p in PAGES if MANIFEST[p]["choice"]]
ACCEPT_PAGES = ["onetrust.html", "didomi.html", "usercentrics.html", "quantcast.html", "generic-de.html"]
OFF_PAGES = ["onetrust.html", "wall.html"]


@pytest.fixture(scope="module")
def sp_site():
    """Sourcepoint's message app on a second origin, at /index.html as the real one is."""
    s = Site(SP_DIR, host="127.0.0.2").start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def no_config(tmp_path_factory):
    """An empty per-domain config, so a developer's ~/.config/pagekeep/consent.toml cannot leak in."""
    path = tmp_path_factory.mktemp("consent-config") / "consent.toml"
    path.write_text("[domains]\n", "utf-8")
    return str(path)


def _load(path, urls: dict) -> dict:
    db = store.connect(path)
    try:
        rows = {r["url"]: r for r in db.query("select * from articles")}
        out = {}
        for page, url in urls.items():
            row = rows.get(url)
            if row is None:
                continue
            shot = screenshot(db, row["id"], "page")
            html = next(db.query("select html_gz from rendered_pages where article_id = ?", [row["id"]]), None)
            seconds = next(db.query("select seconds from attempts where article_id = ?", [row["id"]]))["seconds"]
            out[page] = {"row": row, "shot": shot["image"], "seconds": seconds,
                         "html": gzip.decompress(html["html_gz"]).decode("utf-8") if html else ""}
        return out
    finally:
        db.close()


def _batch(urls: dict, path, opts: CaptureOptions) -> dict:
    outcomes = capture_urls(list(urls.values()), str(path), opts, concurrency=3)
    failed = [(o.url, o.error) for o in outcomes if not o.ok]
    assert not failed, failed
    return _load(path, urls)


@pytest.fixture(scope="module")
def rejected(site, sp_site, no_config, tmp_path_factory):
    """Every fixture captured with the default mode (reject)."""
    urls = {p: page_url(site, p, sp_site) for p in PAGES}
    return _batch(urls, tmp_path_factory.mktemp("consent-reject") / "a.db",
                  CaptureOptions(consent="reject", consent_config=no_config))


@pytest.fixture(scope="module")
def turned_off(site, no_config, tmp_path_factory):
    """--consent off: the control that shows these checks can fail."""
    urls = {p: page_url(site, p) for p in OFF_PAGES}
    return _batch(urls, tmp_path_factory.mktemp("consent-off") / "a.db",
                  CaptureOptions(consent="off", consent_config=no_config))


@pytest.fixture(scope="module")
def accepted_by_config(site, tmp_path_factory):
    """The CLI with --json, default reject, and a per-domain config that says accept for this host."""
    folder = tmp_path_factory.mktemp("consent-accept")
    cfg = folder / "consent.toml"
    cfg.write_text('[domains]\n"127.0.0.1" = "accept"\n"=elsewhere.example" = "off"\n', "utf-8")
    db = folder / "a.db"
    urls = {p: page_url(site, p) for p in ACCEPT_PAGES}
    proc = subprocess.run(
        [sys.executable, "-m", "capture.cli", "capture", *urls.values(), "--db", str(db), "--json",
         "--consent", "reject", "--consent-config", str(cfg), "-c", "3"],
        capture_output=True, text=True, timeout=240, env={**os.environ, "PAGEKEEP_CONSENT_CONFIG": ""},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    by_url = {d["url"]: d for d in lines}
    return {"json": {p: by_url[u] for p, u in urls.items()}, "stored": _load(db, urls)}


# --- every fixture, default mode ------------------------------------------------------------

@pytest.mark.parametrize("page", PAGES)
def test_banner_is_gone_from_the_page_screenshot(rejected, page):
    assert count_near(rejected[page]["shot"], BANNER) <= MAX_BANNER_PIXELS


@pytest.mark.parametrize("page", PAGES)
def test_article_text_is_captured(rejected, page):
    p, r, f = token_f1(rejected[page]["row"]["text"], article_text(page))
    assert r >= 0.95, (p, r, f)


@pytest.mark.parametrize("page", PAGES)
def test_the_right_cmp_and_action_are_recorded(rejected, page):
    row, want = rejected[page]["row"], MANIFEST[page]
    assert (row["consent_cmp"], row["consent_action"]) == (want["cmp"], want["action"]), row["capture_notes"]
    assert row["consent_ok"] == (1 if want["cmp"] else None), row["capture_notes"]


@pytest.mark.parametrize("page", PAGES)
def test_the_page_itself_saw_the_choice(rejected, page):
    """The fixture's own script records which button (or API call) was used."""
    m = re.search(r'data-pk-fixture-choice="(\w+)"', rejected[page]["html"])
    assert (m.group(1) if m else None) == MANIFEST[page]["choice"]


def test_what_was_done_is_in_the_capture_notes(rejected):
    notes = rejected["sourcepoint.html"]["row"]["capture_notes"]
    assert "consent: autoconsent" in notes and "Sourcepoint-frame" in notes and "127.0.0.2" in notes
    assert 'clicked "nur notwendige cookies"' in rejected["generic-de.html"]["row"]["capture_notes"]


def test_no_banner_records_nothing(rejected):
    row = rejected["nobanner.html"]["row"]
    assert (row["consent_cmp"], row["consent_action"], row["consent_ok"]) == (None, None, None)
    assert "consent:" not in (row["capture_notes"] or "")


def test_a_cmp_that_never_answers_cannot_hang_the_capture(rejected):
    """Sourcepoint's frame rule waits up to ~40 s for a privacy manager that never opens."""
    got = rejected["sourcepoint.html?stuck=1"]
    assert got["seconds"] < 20, got["seconds"]
    assert "gave no answer for Sourcepoint-frame" in got["row"]["capture_notes"]


# --- controls and other modes -----------------------------------------------------------------

def test_with_consent_off_the_banner_stays(turned_off):
    """The pixel check does see a banner when nothing removes it."""
    got = turned_off["onetrust.html"]
    assert got["row"]["consent_action"] == "off"
    assert count_near(got["shot"], BANNER) > 20000
    assert "data-pk-fixture-choice" not in got["html"]


def test_with_consent_off_a_wall_keeps_the_article_out(turned_off):
    p, r, f = token_f1(turned_off["wall.html"]["row"]["text"], article_text("wall.html"))
    assert r < 0.3, (p, r, f)


@pytest.mark.parametrize("page", ACCEPT_PAGES)
def test_per_domain_config_switches_to_accept(accepted_by_config, page):
    stored = accepted_by_config["stored"][page]
    assert count_near(stored["shot"], BANNER) <= MAX_BANNER_PIXELS
    assert 'data-pk-fixture-choice="accept"' in stored["html"]
    assert stored["row"]["consent_action"] == "accept"


@pytest.mark.parametrize("page", ACCEPT_PAGES)
def test_json_output_says_what_was_done(accepted_by_config, page):
    line = accepted_by_config["json"][page]
    assert line["ok"] is True
    assert line["consent_cmp"] == MANIFEST[page]["cmp"]
    assert (line["consent_action"], line["consent_ok"]) == ("accept", 1)


# --- the engine's cost on a page without a banner ---------------------------------------------

async def test_engine_leaves_a_page_without_banner_quiet(site, no_config):
    """autoconsent runs in the page, but its timers must not make the page look busy."""
    from playwright.async_api import async_playwright

    from capture import settle
    from capture.browser import launch, new_context
    from capture.deadline import Deadline

    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            context = await new_context(browser)
            await settle.install(context)
            await consent.install(context, "reject", no_config)
            page = await context.new_page()
            network = settle.NetworkTracker(page)
            await page.goto(site.url("consent/nobanner.html"), wait_until="load")
            deadline = Deadline(30)
            assert await settle.wait_quiet(page, network, deadline, max_s=6)
            await asyncio.sleep(1.5)  # autoconsent keeps retrying in the background
            snap = await page.evaluate("() => window.__pk.snapshot()")
            assert snap["pendingTimers"] == 0
            session = consent._SESSIONS[context]
            assert session.inits >= 1 and session.frames  # the engine did run in the page
            t0 = time.monotonic()
            result = await consent.handle(page, "reject", deadline)
            result2 = await consent.handle(page, "reject", deadline)
            spent = time.monotonic() - t0
            assert result.action is None and result2.action is None
            assert spent < 1.0, spent
        finally:
            await browser.close()


# --- pagekeep's fallback, language by language -------------------------------------------------

BANNERS = {
    "en": ("We use cookies and similar technologies to improve your experience and show relevant ads.", "Accept all", "Reject all"),
    "de": ("Wir verwenden Cookies, um Inhalte zu personalisieren und Zugriffe zu analysieren.", "Alle akzeptieren", "Alle ablehnen"),
    "fr": ("Nous utilisons des cookies pour améliorer votre expérience et mesurer l'audience.", "Tout accepter", "Tout refuser"),
    "es": ("Utilizamos cookies propias y de terceros para mejorar nuestros servicios.", "Aceptar todas", "Rechazar todas"),
    "it": ("Utilizziamo cookie e tecnologie simili per migliorare la tua esperienza.", "Accetta tutti", "Rifiuta tutti"),
    "nl": ("Wij gebruiken cookies om de website te verbeteren en advertenties te tonen.", "Alles accepteren", "Alles weigeren"),
    "pt": ("Utilizamos cookies para melhorar a sua experiência e personalizar anúncios.", "Aceitar todos", "Rejeitar todos"),
    "pl": ("Ta strona używa plików cookie, aby zapewnić najlepszą jakość usług.", "Akceptuję wszystkie", "Odrzuć wszystkie"),
    "sv": ("Vi använder kakor för att förbättra webbplatsen.", "Godkänn alla", "Avvisa alla"),
    "da": ("Vi bruger cookies til at forbedre din oplevelse.", "Accepter alle", "Afvis alle"),
    "nb": ("Vi bruker informasjonskapsler for å gi deg en bedre opplevelse.", "Godta alle", "Avslå alle"),
    "fi": ("Käytämme evästeitä parantaaksemme sivuston toimintaa.", "Hyväksy kaikki", "Hylkää kaikki"),
    "cs": ("Tento web používá soubory cookies k poskytování služeb.", "Přijmout vše", "Odmítnout vše"),
    "hu": ("Weboldalunk sütiket használ a jobb felhasználói élmény érdekében.", "Összes elfogadása", "Összes elutasítása"),
    "ro": ("Folosim cookie-uri pentru a vă oferi o experiență mai bună.", "Acceptă toate", "Respinge toate"),
    "el": ("Χρησιμοποιούμε cookies για να βελτιώσουμε την εμπειρία σας.", "Αποδοχή όλων", "Απόρριψη όλων"),
    "tr": ("Deneyiminizi iyileştirmek için çerezler kullanıyoruz.", "Tümünü kabul et", "Tümünü reddet"),
    # A language pagekeep has no button words for (Estonian): hidden, nothing pressed.
    "et": ("See veebileht kasutab küpsiseid (cookies), et parandada teie kasutuskogemust.", "Nõustun", "Keeldun"),
}
UNREAD = {"et"}

STORY = "".join(f"<p>Paragraph {i} of a story about the harbour, the tide and the town that lives beside them.</p>" for i in range(8))


def _banner_page(lang: str, shadow: bool = False, reject_button: bool = True) -> str:
    text, accept, reject = BANNERS[lang]
    buttons = f'<button data-kind="accept">{accept}</button>' + (f'<button data-kind="reject">{reject}</button>' if reject_button else "")
    inner = f'<div class="bar" style="position:fixed;left:0;right:0;bottom:0;background:#ff00aa;padding:20px">{text} {buttons}</div>'
    click = """<script>
      function wire(root) { root.querySelectorAll('[data-kind]').forEach(b => b.addEventListener('click', () => {
        document.documentElement.dataset.clicked = b.dataset.kind; })); }
    </script>"""
    if shadow:
        body = f"""<div id="host"></div>{click}<script>
          const r = document.getElementById('host').attachShadow({{mode: 'open'}});
          r.innerHTML = {json.dumps(inner)}; wire(r);</script>"""
    else:
        body = f"{inner}{click}<script>wire(document)</script>"
    return f'<!DOCTYPE html><html lang="{lang}"><body><article><h1>Story</h1>{STORY}</article>{body}</body></html>'


@pytest.fixture(scope="module")
async def bare_page():
    from playwright.async_api import async_playwright

    from capture.browser import launch

    async with async_playwright() as pw:
        browser = await launch(pw)
        page = await browser.new_page()
        yield page
        await browser.close()


async def _run_fallback(page, html: str, mode: str) -> tuple[dict, str | None, bool]:
    from capture.jsassets import script

    await page.set_content(html)
    res = await page.evaluate(script("consent_fallback.js"), {"mode": mode})
    clicked = await page.evaluate("() => document.documentElement.dataset.clicked || null")
    hidden = await page.evaluate("""() => { const h = document.getElementById('host');
        const el = h ? h.shadowRoot.querySelector('.bar') : document.querySelector('.bar');
        if (!el) return false;
        const host = h || el; return getComputedStyle(host).display === 'none' || getComputedStyle(el).display === 'none'; }""")
    return res, clicked, hidden


@pytest.mark.parametrize("lang", sorted(set(BANNERS) - UNREAD))
async def test_fallback_refuses_in_every_language(bare_page, lang):
    res, clicked, _ = await _run_fallback(bare_page, _banner_page(lang), "reject")
    assert (res["action"], clicked) == ("reject", "reject"), res


@pytest.mark.parametrize("lang", sorted(set(BANNERS) - UNREAD))
async def test_fallback_accepts_in_every_language_when_asked(bare_page, lang):
    res, clicked, _ = await _run_fallback(bare_page, _banner_page(lang), "accept")
    assert (res["action"], clicked) == ("accept", "accept"), res


@pytest.mark.parametrize("mode", ["reject", "accept"])
async def test_a_cookie_banner_in_a_language_without_button_words_is_hidden_not_pressed(bare_page, mode):
    res, clicked, hidden = await _run_fallback(bare_page, _banner_page("et"), mode)
    assert (res["action"], clicked, hidden) == ("hide", None, True), res


async def test_fallback_finds_banners_in_open_shadow_roots(bare_page):
    res, clicked, _ = await _run_fallback(bare_page, _banner_page("fr", shadow=True), "reject")
    assert (res["action"], clicked) == ("reject", "reject"), res


async def test_fallback_never_accepts_in_reject_mode(bare_page):
    """No refusal path: the banner is hidden, and nothing is agreed to."""
    res, clicked, hidden = await _run_fallback(bare_page, _banner_page("it", reject_button=False), "reject")
    assert (res["action"], clicked, hidden) == ("hide", None, True), res


async def test_fallback_hides_a_notice_only_bar_in_reject_mode(bare_page):
    """'By using this site, you agree to…' with only an Accept button: hidden, never accepted."""
    html = (f'<!DOCTYPE html><html><body><article><h1>Story</h1>{STORY}</article>'
            f'<div class="bar" style="position:fixed;bottom:0;left:0;right:0;background:#ff00aa">By using this site, you agree to the '
            f'<a href="/privacy">Privacy Policy</a> and <a href="/terms">Terms of Use</a>. '
            f'<a href="#" data-kind="accept" onclick="document.documentElement.dataset.clicked=\'accept\'">Accept</a></div></body></html>')
    res, clicked, hidden = await _run_fallback(bare_page, html, "reject")
    assert (res["action"], clicked, hidden) == ("hide", None, True), res


async def test_fallback_leaves_ordinary_sticky_bars_alone(bare_page):
    html = (f'<!DOCTYPE html><html><body><header style="position:sticky;top:0;background:#eee">'
            f'<a href="#">Home</a> <a href="/privacy">Privacy</a> <button>Subscribe</button> <button>OK</button></header>'
            f'<article><h1>Story</h1>{STORY}</article><footer><a href="#">Cookie settings</a></footer></body></html>')
    res, clicked, _ = await _run_fallback(bare_page, html, "reject")
    assert res["found"] is False and clicked is None, res


# --- the per-domain config ---------------------------------------------------------------------

def test_config_most_specific_pattern_wins():
    policy = ConsentPolicy("reject", parse_rules({
        "example.com": "accept", "*.news.example.com": "off", "=live.news.example.com": "reject",
    }))
    assert policy.mode_for("https://example.com/a") == "accept"
    assert policy.mode_for("https://www.example.com/a") == "accept"
    assert policy.mode_for("https://a.news.example.com/") == "off"
    assert policy.mode_for("https://news.example.com/") == "accept"    # *. means subdomains only
    assert policy.mode_for("https://live.news.example.com/") == "reject"
    assert policy.mode_for("https://example.org/") == "reject"
    assert policy.mode_for("https://notexample.com/") == "reject"


def test_config_reads_toml_and_yaml(tmp_path):
    toml = tmp_path / "c.toml"
    toml.write_text('[domains]\n"example.com" = "accept"\n', "utf-8")
    yml = tmp_path / "c.yaml"
    yml.write_text("domains:\n  example.org: 'off'\n", "utf-8")
    assert load_policy("reject", toml).mode_for("http://example.com/") == "accept"
    assert load_policy("accept", yml).mode_for("http://example.org/") == "off"
    assert load_policy("accept", yml).mode_for("http://example.com/") == "accept"


@pytest.mark.parametrize("text, message", [
    ('[domains]\n"example.com" = "maybe"\n', "mode must be one of"),
    ('[domains]\n"https://example.com/x" = "off"\n', "not a domain pattern"),
    ('mode = "accept"\n', "unknown key"),
    ("[domains\n", "not valid TOML"),
])
def test_config_errors_are_one_clear_line(tmp_path, text, message):
    path = tmp_path / "c.toml"
    path.write_text(text, "utf-8")
    with pytest.raises(ConsentConfigError, match=message):
        load_policy("reject", path)


def test_config_named_but_missing_is_an_error(tmp_path):
    with pytest.raises(ConsentConfigError, match="does not exist"):
        load_policy("reject", tmp_path / "nope.toml")


def test_cli_refuses_a_bad_config_with_usage_status(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[domains]\n"example.com" = "sometimes"\n', "utf-8")
    proc = subprocess.run([sys.executable, "-m", "capture.cli", "capture", "http://127.0.0.1:9/", "--db",
                           str(tmp_path / "a.db"), "--consent-config", str(path)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "mode must be one of" in proc.stderr
