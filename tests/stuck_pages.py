"""Fixture pages whose third parties never answer, or that navigate themselves away.

Each page is built when the server starts, with the addresses of the dead
hosts (deadhosts.py) written into it, and served as a route of
capture.localsite.Site. Every page carries a story whose every paragraph the
tests look for in the stored text; no two pages share markup or wording.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest

from capture.localsite import Site
from deadhosts import SilentHost, closed_port
from hostile_routes import send


def _paras(lines: list[str], tag: str = "p") -> str:
    return "".join(f"<{tag}>{line}</{tag}>" for line in lines)


ALLOTMENT = [
    "The council's allotment waiting list passed four hundred names this spring, the longest it has been since records began.",
    "Plots on the Mill Lane site are now being halved so that twice as many households can grow vegetables there.",
    "Growers who have tended full plots for decades say they understand, though several worry about their fruit cages.",
    "A new site beside the railway cutting could open in two years if the soil tests come back clean this summer.",
    "Until then, the committee asks anyone who no longer works their plot to give it up before the autumn inspection.",
]

TIDES = [
    "Corrections to the published tide tables for the estuary have been issued after a survey found the channel had moved.",
    "High water at the town quay now arrives up to eighteen minutes earlier than the printed booklet says.",
    "Skippers of shallow boats are asked to allow an extra half metre of clearance over the bar at low springs.",
    "The harbour office will post the revised times on the noticeboard by the slipway every Monday morning.",
]

POEMS = [
    "Her third collection returns to the salt marshes of her childhood, but the voice is older and less sure of itself.",
    "The long title poem walks the sea wall at dusk and counts the things the tide has taken since the last flood.",
    "Shorter pieces in the middle section read like field notes, dated and placed, with birds named in dialect.",
    "It is a quieter book than the last one, and a braver one, and it rewards reading aloud to an empty room.",
]

RACE = [
    "The hill climb was won by a junior rider who had never finished the course before, in a record time of nine minutes.",
    "Rain on the lower hairpins made the first half treacherous, and three of the favourites walked their bikes.",
    "By the summit the sun was out and the crowd at the cattle grid cheered every rider who came over the top.",
    "Organisers said entries had doubled since the climb was moved from October to the first weekend of September.",
]

ROOF = [
    "The village hall roof will be replaced this winter after the last of the fundraising target was met at the spring fair.",
    "Slate from the old roof is being sold in bundles to pay for scaffolding, which alone costs more than the new gutters.",
    "Bookings for the hall continue as normal until November, when the builders will need the car park for six weeks.",
    "The trustees thanked the bell ringers, whose sponsored peal raised more than any other single event this year.",
]

FERRY_FAQ = [
    ("When does the winter timetable start?", "The winter timetable starts on the first Sunday of November and runs until Easter."),
    ("Can I take a bicycle on board?", "Bicycles travel free on every crossing, but tandems must be booked a day ahead."),
    ("What happens in fog?", "Crossings are held at the pier until the skipper can see the far light from the bridge."),
    ("Are dogs allowed in the saloon?", "Dogs are welcome on the open deck; only assistance dogs may come into the saloon."),
]

ARCHIVE = [
    "The parish magazine archive now holds every issue from 1952 to 1998, scanned by volunteers over three winters.",
    "Early issues are typed on a manual machine and list the church flower rota alongside the cricket scores.",
    "The 1976 drought issue asks readers to save bath water for the churchyard roses and prints a recipe for nettle soup.",
    "Volunteers are now looking for the missing issues of 1963, which were lent out for a history project and never returned.",
]

FESTIVAL_INTRO = [
    "Forty years of the folk festival, one clip for every year, chosen by the stewards who have worked it longest.",
    "The first clip was filmed on a borrowed camera in the rain; the last was streamed live to eleven countries.",
]

BALLOT = [
    "Voting in the name-the-ferry poll has closed, and the count of paper and online ballots will be read out on Thursday.",
    "More than three thousand people took part, most of them pupils from the two primary schools on either bank.",
    "The shortlist was drawn up by the crew, who asked that no name be longer than would fit on the wheelhouse.",
]

CHOIR = [
    "The male voice choir celebrates its centenary with a concert in the chapel where it first sang in 1925.",
    "Its oldest member joined as a boy treble in 1951 and still sings second tenor at every rehearsal.",
    "Tickets are free, but the choir asks for donations towards a new set of music stands and a portable piano.",
]

LIBRARY = [
    "The mobile library will visit the three hill farms again from March, after a year in which the van stood idle.",
    "A grant from the county pays for the driver, and volunteers will run the children's story hour at each stop.",
    "Readers can order books online and collect them from the van, or ask the driver to bring something next time.",
]

TRIALS = [
    "This year's sheepdog trials move from the upper meadow to the show field, which drains better after rain.",
    "Handlers from five valleys have entered, and the youngest dog on the card is barely eighteen months old.",
    "The judges will walk the course on Friday evening and may shorten the outrun if the ground is still soft.",
]

QUAY = [
    "The worn stone steps down to the quay will be taken apart this winter and rebuilt with the same stones, re-cut.",
    "Masons will number every block before it is lifted, so that the steps look as they have since the harbour was built.",
    "The lower landing stays open for the pilot boat, but walkers will use the slipway until the work is done in April.",
]

LANDING = [
    "This is the new home of the allotment society newsletter, which moved here when the old address was retired.",
    "Members will find the seed swap dates, the show schedule and the minutes of the annual meeting on this page.",
]


def hung_script(silent, **_) -> str:
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Allotment list passes four hundred</title>"
        f"<script src='{silent.base}/tag/v2/loader.js?id=ALLOT'></script></head><body>"
        "<header><nav><a href='/'>Home</a> <a href='/news'>News</a></nav></header>"
        "<main><div class='entry'><h1>Allotment list passes four hundred</h1><p class='by'>By Ruth Penhaligon</p>"
        f"{_paras(ALLOTMENT)}</div></main><footer>Parish news</footer></body></html>"
    )


def hung_style(silent, **_) -> str:
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>Tide tables corrected</title>"
        f"<link rel='stylesheet' href='{silent.base}/assets/theme.min.css'>"
        "<script>window.siteConfig = {region: 'estuary'};</script></head><body>"
        "<div id='content'><section class='notice'><h2>Tide tables corrected</h2>"
        f"{_paras(TIDES)}<ul><li>Bar clearance: +0.5 m at springs</li></ul></section></div></body></html>"
    )


def hung_font(silent, **_) -> str:
    return (
        "<!doctype html><html lang='en-GB'><head><meta charset='utf-8'><title>Review: Salt Marsh Hours</title>"
        f"<style>@font-face {{ font-family: 'Marsh Serif'; src: url('{silent.base}/webfonts/marsh.woff2') format('woff2'); }}"
        " body { font-family: 'Marsh Serif', Georgia, serif; max-width: 40em; margin: auto; }</style></head><body>"
        "<article class='review'><h1>Review: Salt Marsh Hours</h1>"
        f"<blockquote>{POEMS[0]}</blockquote>{_paras(POEMS[1:])}</article></body></html>"
    )


def hung_frame(silent, **_) -> str:
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Junior rider takes the hill climb</title></head>"
        "<body><div class='story-body'><h1>Junior rider takes the hill climb</h1>"
        f"<p>{RACE[0]}</p><p>{RACE[1]}</p><figure><iframe width='560' height='315' "
        f"src='{silent.base}/embed/hillclimb-highlights' title='Highlights'></iframe><figcaption>Highlights</figcaption></figure>"
        f"<p>{RACE[2]}</p><p>{RACE[3]}</p></div></body></html>"
    )


def https_upgrade(**_) -> str:
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Hall roof to be replaced</title></head><body>"
        "<div class='wrap'><article><h1>Hall roof to be replaced</h1>"
        f"{_paras(ROOF)}</article></div>"
        "<script>setTimeout(function () { if (document.location.protocol != 'https:') "
        "{ document.location = document.URL.replace(/^http:/i, 'https:'); } }, 1000);</script></body></html>"
    )


def moved_home(refused_netloc, **_) -> str:
    faq = "".join(f"<dt>{q}</dt><dd>{a}</dd>" for q, a in FERRY_FAQ)
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Ferry questions</title>"
        f"<meta http-equiv='refresh' content='0;url=http://{refused_netloc}/ferry/faq'></head><body>"
        f"<main><h1>Ferry questions answered</h1><dl>{faq}</dl></main></body></html>"
    )


def dead_base(silent, **_) -> str:
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Parish magazine archive</title>"
        f"<base href='{silent.base}/magazine/'></head><body>"
        "<div class='column'><h1>The parish magazine archive</h1>"
        "<img src='covers/1976-drought.jpg' alt='' width='300' height='200'>"
        f"{_paras(ARCHIVE)}<p><a id='older' href='issues/1963.html'>Older issues</a></p></div>"
        "<script>setTimeout(function () { document.getElementById('older').click(); }, 800);</script></body></html>"
    )


def lazy_embeds(silent, **_) -> str:
    clips = "".join(
        f"<section class='clip'><h3>{1984 + i}</h3><iframe loading='lazy' width='400' height='225' "
        f"src='{silent.base}/player/{1984 + i}?autoplay=0'></iframe><p>Festival year {1984 + i}: the stewards' pick.</p></section>"
        for i in range(40)
    )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Forty years of the folk festival</title>"
        "<style>.clips { display: grid; grid-template-columns: 1fr 1fr; gap: 1em; }</style></head>"
        f"<body><article><h1>Forty years of the folk festival</h1>{_paras(FESTIVAL_INTRO)}<div class='clips'>{clips}</div>"
        "</article></body></html>"
    )


def poll_closed(**_) -> str:
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Ferry name poll closes</title></head><body>"
        f"<table class='layout'><tr><td><h1>Ferry name poll closes</h1>{_paras(BALLOT)}</td></tr></table>"
        "<form id='f' method='post' action='/ballot-box'><input type='hidden' name='seen' value='1'></form>"
        "<script>addEventListener('load', function () { document.getElementById('f').submit(); });</script>"
        "</body></html>"
    )


def ballot_box(h) -> None:
    send(h, 503, body=b"<h1>Service unavailable</h1>")


def loses_body(**_) -> str:
    """Moves its story out of <body> and removes the body: document.body is null from then on."""
    return (
        "<!doctype html><html lang='cy'><head><meta charset='utf-8'><title>Choir turns one hundred</title></head><body>"
        f"<main><h1>Choir turns one hundred</h1>{_paras(CHOIR)}</main>"
        "<script>const m = document.querySelector('main'); document.documentElement.appendChild(m); document.body.remove();</script>"
        "</body></html>"
    )


def moves_on(**_) -> str:
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Newsletter has moved</title></head><body>"
        "<p>The newsletter has moved to a new address; you will be taken there.</p>"
        "<script>addEventListener('load', function () { setTimeout(function () { location.assign('/newsletter/home'); }, 600); });</script>"
        "</body></html>"
    )


def sync_call(silent, **_) -> str:
    """An old geo script in <head> asks a host that never answers, synchronously: the page's one
    thread waits, so nothing sent to the page (not even a reload) is handled."""
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Mobile library back on the hills</title>"
        "<script>var geo = null; try { var r = new XMLHttpRequest();"
        f" r.open('GET', '{silent.base}/geo/v1/lookup', false); r.send(); geo = r.responseText; }} catch (e) {{}}</script>"
        "</head><body><div class='post'><h2>Mobile library back on the hills</h2>"
        f"{_paras(LIBRARY)}</div></body></html>"
    )


def sync_call_late(silent, **_) -> str:
    """The same, from a timer once the page has loaded: the thread is held while pagekeep settles it."""
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Sheepdog trials move to the show field</title>"
        "</head><body><main><h1>Sheepdog trials move to the show field</h1>"
        f"{_paras(TRIALS)}</main><script>addEventListener('load', function () {{ setTimeout(function () {{"
        f" var r = new XMLHttpRequest(); r.open('POST', '{silent.base}/beacon/sync', false);"
        " try { r.send('seen'); } catch (e) {} }, 200); });</script></body></html>"
    )


def stops_itself(**_) -> str:
    """A script in <head> stops the page's own load (window.stop()): the body is never parsed,
    and no DOMContentLoaded or load event ever comes."""
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Quay steps to be rebuilt</title>"
        "<script>window.stop();</script></head>"
        f"<body><article><h1>Quay steps to be rebuilt</h1>{_paras(QUAY)}</article></body></html>"
    )


def landing(**_) -> str:
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Allotment society newsletter</title></head><body>"
        f"<article><h1>Allotment society newsletter</h1>{_paras(LANDING)}</article></body></html>"
    )


PAGES = {
    "/hung-script": hung_script, "/hung-style": hung_style, "/hung-font": hung_font, "/hung-frame": hung_frame,
    "/https-upgrade": https_upgrade, "/moved-home": moved_home, "/dead-base": dead_base, "/lazy-embeds": lazy_embeds,
    "/poll-closed": poll_closed, "/moves-on": moves_on, "/newsletter/home": landing, "/loses-body": loses_body,
    "/sync-call": sync_call, "/sync-call-late": sync_call_late, "/stops-itself": stops_itself,
}

TEXTS = {
    "/hung-script": ALLOTMENT, "/hung-style": TIDES, "/hung-font": POEMS, "/hung-frame": RACE,
    "/https-upgrade": ROOF, "/moved-home": [a for _, a in FERRY_FAQ], "/dead-base": ARCHIVE,
    "/lazy-embeds": FESTIVAL_INTRO + [f"Festival year {1984 + i}: the stewards' pick." for i in range(40)],
    "/poll-closed": BALLOT, "/newsletter/home": LANDING, "/loses-body": CHOIR, "/sync-call": LIBRARY,
    "/sync-call-late": TRIALS, "/stops-itself": QUAY,
}


def routes(**hosts) -> dict:
    """{path: handler} for capture.localsite.Site, each page built once with the dead hosts' addresses."""
    built = {path: make(**hosts).encode() for path, make in PAGES.items()}
    return {"/ballot-box": ballot_box, **{path: (lambda h, body=body: send(h, body=body)) for path, body in built.items()}}


@contextmanager
def served():
    """The pages on 127.0.0.1, their silent third party on 127.0.0.3 and a refusing one on 127.0.0.2."""
    silent = SilentHost("127.0.0.3")
    refused = f"127.0.0.2:{closed_port('127.0.0.2')}"
    site = Site(Path(__file__).parent / "site", routes=routes(silent=silent, refused_netloc=refused)).start()
    try:
        yield SimpleNamespace(site=site, silent=silent, refused=refused)
    finally:
        site.stop()
        silent.stop()


CAPTURED = ["/hung-script", "/hung-style", "/hung-font", "/hung-frame", "/sync-call", "/sync-call-late", "/stops-itself",
            "/loses-body", "/https-upgrade", "/moved-home", "/dead-base", "/poll-closed", "/lazy-embeds", "/moves-on"]


@pytest.fixture(scope="session")
def stuck_run(tmp_path_factory):
    """Every page above captured once, in one batch through the CLI with the default settings
    (test_stuck_hosts.py and test_navigation_away.py read the same run)."""
    db = tmp_path_factory.mktemp("stuck") / "archive.db"
    with served() as s:
        r = subprocess.run([sys.executable, "-m", "capture.cli", "capture", "--from", "-", "--db", str(db), "--json"],
                           input="\n".join(s.site.base + p for p in CAPTURED), capture_output=True, text=True,
                           timeout=300)
    assert "Traceback" not in r.stderr, r.stderr
    lines = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    yield SimpleNamespace(outcomes={o["url"][len(s.site.base):]: o for o in lines}, conn=conn, served=s)
    conn.close()


def stored(run, path: str):
    return run.conn.execute("select * from articles where url = ?", [run.served.site.base + path]).fetchone()
