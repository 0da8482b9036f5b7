"""Article metadata from rendered HTML: JSON-LD first, then meta tags, then the visible page."""

from __future__ import annotations

from capture.metadata import extract_metadata, iso_datetime, normalise_lang


def doc(head: str, body: str = "", lang: str = "en") -> str:
    return f'<html lang="{lang}"><head>{head}</head><body>{body}</body></html>'


def test_json_ld_wins_over_meta_tags():
    html = doc('<meta property="og:title" content="OG title | Site">'
               '<meta name="author" content="Meta Author">'
               '<script type="application/ld+json">{"@context":"https://schema.org","@graph":['
               '{"@type":"WebPage","name":"page"},'
               '{"@type":"NewsArticle","headline":"LD headline","author":[{"@type":"Person","name":"Ana Ruiz"},'
               '{"@type":"Person","name":"Li Wei"}],"datePublished":"2024-03-08T09:30:00Z",'
               '"publisher":{"@type":"Organization","name":"Site"}}]}</script>')
    m = extract_metadata(html, "https://example.test/a")
    assert m["title"] == "LD headline"
    assert m["byline"] == "Ana Ruiz, Li Wei"
    assert m["published"] == "2024-03-08T09:30:00+00:00"
    assert m["site_name"] == "Site"


def test_meta_tags_when_there_is_no_json_ld():
    html = doc('<meta property="og:site_name" content="Gazette">'
               '<meta property="og:title" content="Bridge repairs approved - Gazette">'
               '<meta name="author" content="By Dale Renner">'
               '<meta property="article:published_time" content="2024-02-02T06:45:00-0500">')
    m = extract_metadata(html, "https://example.test/b")
    assert m["title"] == "Bridge repairs approved"
    assert m["byline"] == "Dale Renner"
    assert m["published"] == "2024-02-02T06:45:00-05:00"


def test_visible_headline_and_time_element_as_last_resort():
    html = doc("<title>Home</title>", '<h1 data-pk-hidden="1">Hidden</h1><h1>Real headline</h1>'
               '<time datetime="2023-12-13">13 December</time>')
    m = extract_metadata(html, "https://example.test/c")
    assert m["title"] == "Real headline"
    assert m["published"] == "2023-12-13"


def test_dates_and_languages_are_normalised():
    assert iso_datetime("2024-01-22") == "2024-01-22"
    assert iso_datetime("2024-01-22 10:00:00+0100") == "2024-01-22T10:00:00+01:00"
    assert iso_datetime("1700000000") == "2023-11-14T22:13:20+00:00"
    assert normalise_lang("en-US") == "en" and normalise_lang("pt_BR") == "pt" and normalise_lang("??") is None


def test_site_name_comes_from_the_title_beside_the_headline():
    for title, site in [("Ferry back on timetable | Inselbote", "Inselbote"),
                        ("Harbour Times - Ferry back on timetable", "Harbour Times"),
                        ("Ferry back on timetable | Local | The Island Post", "The Island Post")]:
        m = extract_metadata(doc(f"<title>{title}</title>", "<h1>Ferry back on timetable</h1>"), "https://example.test/a")
        assert m["site_name"] == site, title


def test_a_title_without_a_site_part_names_no_site_from_it():
    m = extract_metadata(doc("<title>Ferry back on timetable - and about time</title>", "<h1>Ferry back on timetable</h1>"),
                         "https://example.test/a")
    assert m["site_name"] in (None, "example.test")  # the host, as a last resort


def test_a_byline_shown_only_on_the_page_is_found_in_any_language():
    for line, name in [('<div class="autor">Von Hauke Petersen | 18.09.2025, 14:05 Uhr</div>', "Hauke Petersen"),
                       ('<p class="post-author">Par Claire Dubois, 3 mars 2025</p>', "Claire Dubois"),
                       ('<span>By Dale Renner</span>', "Dale Renner"),
                       ('<i>Por Lucía Fernández</i>', "Lucía Fernández"),
                       ('<a rel="author" href="/staff/ik">Ingrid Kvist</a>', "Ingrid Kvist")]:
        m = extract_metadata(doc("<title>Ferry</title>", f"<h1>Ferry</h1>{line}<p>Story text.</p>"), "https://example.test/a")
        assert m["byline"] == name, line


def test_a_sentence_that_starts_like_a_byline_is_not_taken_for_one():
    m = extract_metadata(doc("<title>Brug</title>", "<h1>Brug</h1><p>De nieuwe brug is eindelijk open.</p>"
                             "<p>Par ailleurs, la ville rouvre ses bains.</p>", lang="nl"), "https://example.test/a")
    assert m["byline"] is None
