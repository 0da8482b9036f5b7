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


def test_served_text_is_taken_when_its_regions_are_named_like_furniture():
    """A live ticker whose entries are 'comments', sections flagged '--Ads': the block rules
    find next to nothing in the served page, so what trafilatura read there is kept."""
    rendered = page("<div id='content'><h2>This page is not available right now</h2><p>Please try again later.</p></div>")
    for cls in ("live-match-comments", "Report__Section--Ads"):
        items = "".join(f'<div class="{cls}-item"><p>{p}</p></div>' for p in STORY * 2)
        served = page(CLUTTER_TOP + f'<div class="{cls}"><h1>Ferry timetable extended</h1>{items}</div>' + FOOTER)
        ex = extract(rendered, "http://127.0.0.1/story", source_html=served)
        assert ex.extractor == "pagekeep-served-html"
        assert all(p in ex.paragraphs for p in STORY)


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


ZH_POST = [
    "那年夏天我第一次独自去西北旅行，火车在戈壁上开了整整两天两夜才到敦煌",
    "到站的时候天刚亮，空气里有一股干燥的沙土味道，站台上只有几个背着大包的年轻人",
    "我在青年旅舍放下行李就去了鸣沙山，沙丘比想象中高得多，爬到顶上已经满身是汗",
    "傍晚的月牙泉安静得让人不敢大声说话，夕阳把整片沙漠染成了金红色",
    "第二天一早我跟着当地的向导去了莫高窟，洞窟里的壁画颜色虽然已经褪去很多，但线条依然清晰",
    "离开敦煌的那天下起了小雨，这在沙漠里非常少见，司机说这是好兆头",
]
JA_STORY = [
    "市によりますと、新しい図書館は駅前の再開発地区に建てられ、来年の春に開館する予定です",
    "建物は三階建てで、子ども向けの読書室や学習スペースのほか、地域の歴史を紹介する展示室も設けられます",
    "市の担当者は、多くの市民が気軽に立ち寄れる場所にしたいと話しています",
    "建設費はおよそ四十億円で、国の補助金も活用するということです",
    "開館に合わせて、蔵書の数はこれまでの二倍近くに増やす計画です",
]


def test_a_chinese_post_keeps_every_paragraph_not_its_promo_line():
    promo = "扫码关注 WeChat 公众号 travel2023，每周五晚 8 点准时推送 3 篇精选游记，点击下方按钮立即订阅！"
    body = ('<div class="nav"><a href="/">首页</a> <a href="/travel">旅行</a></div><div class="entry">'
            f'<h1>一个人的西北之旅</h1><div class="entry-content">{paras(ZH_POST)}<p class="ad">{promo}</p></div></div>'
            '<div class="aside"><h3>热门文章</h3><ul><li><a href="/1">云南十日游完整攻略分享</a></li></ul></div>')
    ex = extract(f"<html lang='zh'><head><title>一个人的西北之旅</title></head><body>{body}</body></html>", "http://127.0.0.1/zh")
    assert ex.paragraphs == ZH_POST


def test_a_japanese_story_in_a_table_layout_keeps_every_paragraph():
    rows = "".join(f"<tr><td class='honbun'>{p}。</td></tr>" for p in JA_STORY)
    body = ("<table><tr><td class='menu'><a href='/'>トップ</a><br><a href='/news'>ニュース</a></td>"
            f"<td><span class='midashi'>駅前に新しい図書館</span><table>{rows}</table></td></tr></table>")
    ex = extract(f"<html lang='ja'><head><title>駅前に新しい図書館</title></head><body>{body}</body></html>", "http://127.0.0.1/ja")
    assert ex.paragraphs == [p + "。" for p in JA_STORY]


def test_comments_after_a_comments_heading_in_the_posts_own_element_are_cut():
    comments = ["Great post, thanks for sharing all of this with us here today.",
                "Posted by: Morgan | Mar 20, 2007 10:19 PM",
                "I disagree with the second point, the timetable was never the real problem here.",
                "Posted by: Sam | Mar 21, 2007 08:02 AM"]
    html = page('<div class="content"><h3>Ferry timetable extended</h3>' + paras(STORY)
                + "<p>Posted by Dana on March 20, 2007 | Permalink</p><h2>Comments</h2>" + paras(comments) + "</div>")
    ex = extract(html, "http://127.0.0.1/blog")
    assert ex.paragraphs[:len(STORY)] == STORY
    assert not any(c in ex.text for c in comments)


def test_a_discussion_section_of_an_article_is_kept():
    findings = ["The survey found that most riders would use an earlier crossing if it ran every day of the week.",
                "These results suggest the winter timetable could pay for itself within two or three years of service."]
    html = page("<article><h1>Ferry timetable extended</h1>" + paras(STORY) + "<h2>Discussion</h2>" + paras(findings) + "</article>")
    ex = extract(html, "http://127.0.0.1/report")
    assert all(f in ex.paragraphs for f in findings)



def test_story_sentences_that_are_links_are_kept():
    """A roundup's items: sentences of the story whose words are a link."""
    items = "".join(f"<p>Item {n}: <a href='/r{n}'>{s}</a></p>" for n, s in enumerate(STORY[1:4], 1))
    html = page(CLUTTER_TOP + "<article><h1>Ferry timetable extended</h1>" + paras(STORY[:1]) + items
                + paras(STORY[4:]) + "</article>" + FOOTER)
    ex = extract(html, "http://127.0.0.1/story")
    assert [p.removeprefix(f"Item {n}: ") for n, p in enumerate(ex.paragraphs)] == STORY


def test_a_row_of_promo_links_inside_the_story_stays_out():
    promo = ("<p>DON'T MISS <a href='/x1'>Lighthouse keepers' logbooks go online for the first time</a> "
             "<a href='/x2'>Ferry fares rise again as fuel costs climb across the islands</a> [VIDEO]</p>")
    html = page(CLUTTER_TOP + "<article><h1>Ferry timetable extended</h1>" + paras(STORY[:2]) + promo
                + paras(STORY[2:]) + "</article>" + FOOTER)
    ex = extract(html, "http://127.0.0.1/story")
    assert ex.paragraphs == STORY


def test_a_story_only_in_noscript_is_taken_when_the_scripts_rendered_nothing():
    served = page('<div id="app"></div><noscript><article><h1>Ferry timetable extended</h1>'
                  + paras(STORY * 2) + "</article></noscript><script src='/app.js'></script>")
    rendered = page('<div id="app">Loading…</div><noscript></noscript>')
    ex = extract(rendered, "http://127.0.0.1/story", served)
    assert ex.paragraphs[:5] == STORY
    assert ex.extractor == "pagekeep-served-html"


def test_a_noscript_notice_does_not_replace_a_rendered_story():
    served = page("<noscript><p>Please enable JavaScript to read comments on this site, or use a browser that "
                  "supports it, or read the plain version of this page instead.</p></noscript>"
                  "<article><h1>Ferry timetable extended</h1>" + paras(STORY) + "</article>")
    ex = extract(served, "http://127.0.0.1/story", served)
    assert ex.paragraphs == STORY and ex.extractor == "pagekeep"
