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


# ---------------------------------------------------------------- the headline, never a sidebar or the site

def blog(title_tag: str, body: str, head: str = "") -> str:
    return f"<html><head><title>{title_tag}</title>{head}</head><body>{body}</body></html>"


def test_a_sidebar_greeting_in_h1_is_not_the_title():
    html = blog("Notes on slow bread — Crumb Journal",
                '<div class="sidebar-intro"><h1>Hi, I\'m Nicolas.</h1><p>I bake on weekends.</p></div>'
                '<main><h2 class="entry-title">Notes on slow bread</h2><p>Long fermentation changes everything.</p></main>')
    assert extract_metadata(html, "https://crumb.example/slow-bread")["title"] == "Notes on slow bread"


def test_a_widget_heading_is_not_the_title():
    html = blog("Rainfall in March broke a record | Valley Weather Desk",
                '<section class="widget"><h1>About This Site</h1><p>Weather news since 1998.</p></section>'
                '<div class="post"><h3>Rainfall in March broke a record</h3><p>Gauges filled twice.</p></div>')
    assert extract_metadata(html, "https://valley.example/rain")["title"] == "Rainfall in March broke a record"


def test_the_site_name_in_the_logo_heading_is_not_the_title():
    html = blog("Harvest festival moves to the old quay · Portside Daily",
                '<header><h1><a href="/">Portside Daily</a></h1></header>'
                '<article><p>The harvest festival will move to the old quay this year.</p></article>')
    m = extract_metadata(html, "https://portside.example/harvest")
    assert m["title"] == "Harvest festival moves to the old quay"
    assert m["site_name"] == "Portside Daily"


def test_a_heading_of_another_block_is_not_the_title():
    html = blog("Tram line four reopens after repairs",
                '<div class="teaser-list"><h1>Most read this week</h1><a href="/x">Other story</a></div>'
                '<div class="story"><p>Tram line four reopened on Monday after three weeks of repairs.</p></div>')
    assert extract_metadata(html, "https://city.example/tram")["title"] == "Tram line four reopens after repairs"


def test_a_title_that_is_only_the_site_name_gives_way_to_the_headline():
    html = blog("Portside Daily", '<h1>Harvest festival moves to the old quay</h1><p>Text.</p>',
                head='<meta property="og:site_name" content="Portside Daily">')
    assert extract_metadata(html, "https://portside.example/h")["title"] == "Harvest festival moves to the old quay"


# ---------------------------------------------------------------- bylines are names, or empty

def test_interface_text_is_never_a_byline():
    for markup in ['<div class="author-follow"><button>Follow Author</button></div>',
                   '<span class="author-name">Username</span>',
                   '<div class="navbox authority-control">Authority control</div>',
                   '<p class="comment-form-author"><label for="author">Name</label><input id="author"></p>',
                   '<meta name="author" content="admin">']:
        html = blog("Tram line four reopens", f"<h1>Tram line four reopens</h1>{markup}<p>Story.</p>")
        assert extract_metadata(html, "https://city.example/tram")["byline"] is None, markup


def test_a_date_beside_the_name_is_not_glued_onto_it():
    for markup, name in [('<p class="byline">By Joshua Sokol May 5, 2020</p>', "Joshua Sokol"),
                         ('<div class="meta"><span rel="author">Ines Varga</span> · 12. März 2024</div>', "Ines Varga"),
                         ('<span class="autor">Texte : Élodie Marchand, le 3 juin 2023</span>', "Élodie Marchand")]:
        html = blog("Story", f"<h1>Story</h1>{markup}<p>Text.</p>")
        assert extract_metadata(html, "https://x.example/s")["byline"] == name, markup


def test_a_surname_that_is_a_month_is_kept():
    html = blog("Story", '<h1>Story</h1><p class="byline">By Brian May</p><p>Text.</p>')
    assert extract_metadata(html, "https://x.example/s")["byline"] == "Brian May"


# ---------------------------------------------------------------- dates as published, never guessed

def test_a_copyright_year_is_not_a_publication_date():
    from capture.extract import extract  # the whole path, trafilatura's date search included
    html = blog("Story", "<h1>Story</h1><p>Text of the story, long enough to be one.</p><footer>© 2023 Portside Daily</footer>")
    assert extract(html, "https://x.example/s").metadata["published"] is None


def test_a_date_written_under_the_headline_is_found_in_several_languages():
    for line, iso in [("<p class='dateline'>Publié le 3 juin 2023</p>", "2023-06-03"),
                      ("<div>2023年5月12日 · 旅行</div>", "2023-05-12"),
                      ("<span>Veröffentlicht am 12. März 2024</span>", "2024-03-12")]:
        html = blog("Story", f"<h1>Story</h1>{line}<p>Text of the story.</p>")
        assert extract_metadata(html, "https://x.example/s")["published"] == iso, line


def test_a_sidebar_time_is_not_the_publication_date():
    html = blog("Story", '<h1>Story</h1><p>Text.</p><aside class="recent-posts"><time datetime="2019-01-02">2 Jan</time></aside>'
                '<div class="entry-meta"><time datetime="2024-02-03T10:00:00+01:00">3 Feb</time></div>')
    assert extract_metadata(html, "https://x.example/s")["published"].startswith("2024-02-03")


def test_without_title_or_h1_a_heading_marked_as_the_headline_is_the_title():
    html = doc("", "<aside><h1>Newsletter</h1><p>Sign up</p></aside><main><h2 class='entry-headline'>Ferry timetable "
                   "changes for winter</h2><p>The ferry company will run fewer crossings from November.</p></main>")
    assert extract_metadata(html, "https://example.test/f")["title"] == "Ferry timetable changes for winter"


def test_a_sidebar_heading_is_not_the_title_even_when_nothing_else_names_the_story():
    html = doc("", "<div class='widget-area'><h2>Recent posts</h2></div><div class='text'><p>The ferry company "
                   "will run fewer crossings from November.</p><p>Passengers were told on Monday.</p></div>")
    assert extract_metadata(html, "https://example.test/g")["title"] in (None, "")


def test_a_home_page_title_gives_way_to_the_story_headline():
    html = doc("<title>Home - Harbour Post</title>", "<div id='story'><h1>Lifeboat station reopens after repairs</h1>"
                                                    "<p>The station was closed for two years.</p></div>")
    assert extract_metadata(html, "https://example.test/h")["title"] == "Lifeboat station reopens after repairs"


def test_a_byline_whose_name_is_a_link_and_date_follows_is_found():
    html = doc("<title>Lifeboat station reopens</title>",
               "<h1>Lifeboat station reopens</h1><div class='meta'>By <a href='/staff/ann'>Ann Teller</a> · "
               "<time>4 March 2021</time></div><p>The station was closed for two years.</p>")
    assert extract_metadata(html, "https://example.test/i")["byline"] == "Ann Teller"
