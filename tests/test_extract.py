"""Extraction from rendered HTML, offline: block segmentation, block choice, fallbacks.

No browser here: pages are written as the pipeline would hand them over (with
data-pk-* marks where the browser would have set them).
"""

from __future__ import annotations

import sys
from pathlib import Path

from lxml import html as lxml_html

from capture.extract import extract
from capture.extract_blocks import blocks_of

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from extraction_score import summarise, tp_fp_fn  # noqa: E402

STORY = [
    "The harbour board voted on Tuesday to extend the ferry timetable through the winter months, reversing a decision it made last spring.",
    "Board chair Mina Hollis said the change would cost about 140,000 a year, which the council has agreed to cover from its transport reserve.",
    "Commuters had collected more than two thousand signatures asking for the early crossing to return, according to the petition organisers.",
    "The first winter sailing will leave the north pier at 6.15 in the morning from the second week of November, the operator said.",
    "Officials will review passenger numbers in March before deciding whether the extended timetable becomes permanent next year.",
]


def page(body: str, head: str = "") -> str:
    return f"<html><head><title>Ferry timetable extended</title>{head}</head><body>{body}</body></html>"


def paras(items) -> str:
    return "".join(f"<p>{p}</p>" for p in items)


CLUTTER_TOP = """
<header class="site-header"><a href="/">Harbour Times</a>
  <nav class="menu"><ul><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li>
  <li><a href="/weather">Weather</a></li><li><a href="/opinion">Opinion</a></li></ul></nav></header>
"""
RELATED = """
<aside class="related"><h3>More stories</h3><ul>
  <li><a href="/a">Council delays the budget vote again after a long night of talks</a></li>
  <li><a href="/b">New bike lanes open on the seafront this weekend for the first time</a></li>
  <li><a href="/c">Lifeboat crew rescues two kayakers off the point in heavy weather</a></li></ul></aside>
"""
FOOTER = '<footer><p>© Harbour Times. <a href="/privacy">Privacy</a> <a href="/terms">Terms</a></p></footer>'


def test_blocks_split_at_block_elements_and_double_breaks():
    doc = lxml_html.fromstring("<div>intro <b>bold</b><p>one <a href='#'>link</a></p>tail<br><br>after</div>")
    texts = [b.text for b in blocks_of(doc)]
    assert texts == ["intro bold", "one link", "tail", "after"]
    one = blocks_of(doc)[1]
    assert 0.3 < one.link_density < 0.6


def test_blocks_skip_scripts_and_keep_text_after_comments():
    doc = lxml_html.fromstring("<div><p>kept<!-- note -->text</p><script>var x = 'not text';</script></div>")
    assert [b.text for b in blocks_of(doc)] == ["kepttext"]


def test_article_body_without_navigation_related_or_footer():
    html = page(CLUTTER_TOP + "<main><article><h1>Ferry timetable extended</h1>"
                + '<p class="byline">By Ana Ruiz</p>' + paras(STORY) + "</article>" + RELATED + "</main>" + FOOTER)
    ex = extract(html, "http://127.0.0.1/story")
    assert ex.paragraphs == STORY
    assert "\n\n".join(STORY) == ex.text
    assert "More stories" not in ex.text and "Privacy" not in ex.text
    assert ex.word_count > 100
    assert "<p>" in ex.html and "<script" not in ex.html


def test_newsletter_promo_and_comments_inside_the_article_stay_out():
    promo = '<div class="newsletter-promo"><p>Sign up to our morning briefing and get the news in your inbox every day.</p></div>'
    comments = ('<div class="comments"><h3>Comments</h3><form><textarea name="c"></textarea><button>Post</button></form>'
                '<div class="comment"><p>jono77: Finally some sense from the board. The early boat matters to a lot of us.</p></div>'
                '<div class="comment"><p>marta: Who pays for this though? The reserve will not last forever, surely.</p></div></div>')
    html = page("<article><h1>Ferry timetable extended</h1>" + paras(STORY[:2]) + promo + paras(STORY[2:])
                + comments + "</article>")
    ex = extract(html, "http://127.0.0.1/story")
    assert ex.paragraphs == STORY
    assert "briefing" not in ex.text and "jono77" not in ex.text


def test_article_split_into_chunks_is_taken_whole():
    chunks = "".join(f'<div class="article-chunk"><div class="body-text">{paras(STORY[i:i + 2])}</div></div>'
                     f'<div class="ad-slot"><a href="/ad">Advertisement</a></div>' for i in (0, 2, 4))
    html = page(CLUTTER_TOP + f'<article><h1>Ferry timetable extended</h1><div class="chunks">{chunks}</div></article>' + FOOTER)
    ex = extract(html, "http://127.0.0.1/story")
    assert ex.paragraphs == STORY


NEXT_STORY = [
    "The town's cricket club has appointed a new groundsman after its square was flooded twice in a single season by the river.",
    "Club secretary Pat Ormsby said the new groundsman would start in April and would be given a budget to raise the drainage.",
    "Members will be asked at the annual meeting whether to move the pavilion further from the bank, as has been proposed before.",
]


def test_a_stream_of_stories_keeps_only_the_one_the_title_names():
    """Endless scroll: the next story, built the same way, was appended below the one the URL opened."""
    entry = '<div class="entry"><h2>{}</h2><p class="byline">By Ana Ruiz</p>{}</div>'
    html = page(CLUTTER_TOP + '<div class="stream">' + entry.format("Ferry timetable extended", paras(STORY))
                + entry.format("Cricket club appoints groundsman after floods", paras(NEXT_STORY)) + "</div>" + FOOTER)
    ex = extract(html, "http://127.0.0.1/story")
    assert ex.paragraphs == STORY


def test_an_article_in_sections_with_subheadings_is_taken_whole():
    sections = ('<section class="part"><h1>Ferry timetable extended</h1>' + paras(STORY[:3]) + "</section>"
                '<section class="part"><h2>What happens next</h2>' + paras(STORY[3:]) + "</section>")
    ex = extract(page(CLUTTER_TOP + f'<main><div class="story">{sections}</div></main>' + FOOTER), "http://127.0.0.1/story")
    assert ex.paragraphs == STORY[:3] + ["What happens next"] + STORY[3:]


def test_live_blog_posts_whose_headlines_are_not_the_title_are_all_kept():
    posts = "".join(f'<article class="post"><h2>Update {n}</h2>{paras([p])}</article>' for n, p in enumerate(STORY))
    ex = extract(page(CLUTTER_TOP + f'<main><h1>Ferry timetable extended</h1><div class="live">{posts}</div></main>' + FOOTER),
                 "http://127.0.0.1/story")
    assert all(p in ex.paragraphs for p in STORY)


def test_hidden_and_removed_parts_are_ignored():
    html = page("<article>" + paras(STORY) + '<p data-pk-hidden="1">Screen reader only: skip to the next story now.</p>'
                '<div data-pk-removed="1"><p>We value your privacy. Accept all cookies to continue reading.</p></div></article>')
    ex = extract(html, "http://127.0.0.1/story")
    assert ex.paragraphs == STORY


def test_served_document_is_used_when_scripts_wiped_the_article():
    served = page(CLUTTER_TOP + "<article><h1>Ferry timetable extended</h1>" + paras(STORY * 2) + "</article>")
    rendered = page("<div id='content'><h2>This page is not available right now</h2>"
                    "<p>Please try again later.</p></div>")
    ex = extract(rendered, "http://127.0.0.1/story", source_html=served)
    assert ex.extractor == "pagekeep-served-html"
    assert ex.paragraphs[:5] == STORY
    # an intact rendered page never falls back
    ok = extract(served, "http://127.0.0.1/story", source_html=served)
    assert ok.extractor == "pagekeep"


def test_extract_works_on_empty_and_tiny_pages():
    assert extract("", "http://127.0.0.1/").text == ""
    tiny = extract(page("<p>Just one line.</p>"), "http://127.0.0.1/")
    assert tiny.text == "Just one line."


def test_non_latin_text_is_kept_exactly():
    ru = ["В Приморске из-за нехватки водителей сократят число автобусных рейсов на пригородных маршрутах с понедельника.",
          "Перевозчик объяснил решение тем, что за осень уволились почти двадцать водителей, а новых найти не удалось.",
          "В администрации пообещали вернуть прежнее расписание, как только компания наберёт людей."]
    html = page(CLUTTER_TOP + "<article><h1>Автобусы</h1>" + paras(ru) + "</article>" + FOOTER).replace(
        "<title>Ferry timetable extended</title>", "<title>Автобусы</title>")
    ex = extract(html, "http://127.0.0.1/ru")
    assert ex.paragraphs == ru


def test_benchmark_scoring_follows_the_published_method():
    truth = "one two three four five six"
    assert tp_fp_fn(truth, truth) == (1.0, 0.0, 0.0)
    tp, fp, fn = tp_fp_fn(truth, "one two three four five six seven")
    assert (tp, fp, fn) == (3 / 4, 1 / 4, 0.0)
    m = summarise([(truth, truth), (truth, "")])
    # an empty prediction counts against recall only
    assert m["precision"] == 1.0 and m["recall"] == 0.5 and m["accuracy"] == 0.5


def test_repeated_paragraphs_are_kept_but_a_repeated_credit_is_not():
    step = "Portion: one cup of rice, one cup of beans and a handful of greens, eaten slowly."
    credit = '<div class="photo-credit"><p>Photo by the Harbour Times picture desk, all rights reserved.</p></div>'
    body = (f"<h2>Monday</h2><p>{STORY[0]}</p><p>{step}</p>{credit}<h2>Tuesday</h2><p>{STORY[1]}</p><p>{step}</p>"
            f"{credit}<p>{STORY[2]}</p>")
    ex = extract(page(CLUTTER_TOP + f"<article><h1>Ferry timetable extended</h1>{body}</article>" + FOOTER),
                 "http://127.0.0.1/plan")
    assert ex.paragraphs.count(step) == 2
    assert "picture desk" not in ex.text
