"""Judging a fresh capture against the last good one: same, changed (with flags), or suspect."""

from __future__ import annotations

from capture.compare import judge

BODY = "\n\n".join(f"Paragraph {i} tells the story of the harbour barrier and the vote that approved it." for i in range(8))


def article(**kw):
    base = {"id": 1, "title": "Council approves barrier", "byline": "Marta Lindqvist",
            "published": "2026-03-03T08:10:00Z", "modified": "2026-03-03T08:10:00Z", "text": BODY,
            "word_count": 120, "final_url": "https://news.test/a/barrier", "consent_action": "reject", "consent_ok": 1}
    return {**base, **kw}


def test_an_identical_capture_is_the_same():
    assert judge(article(), article(id=None)).outcome == "same"


def test_the_same_date_written_another_way_is_the_same():
    assert judge(article(), article(published="2026-03-03T08:10:00+00:00")).outcome == "same"


def test_a_headline_rewrite_with_the_old_modified_date_is_a_stealth_title_change():
    v = judge(article(), article(title="Council narrowly backs barrier"))
    assert v.outcome == "changed"
    assert v.flags["title_changed"] and v.flags["stealth"] and not v.flags["body_changed"]


def test_an_edit_with_a_new_modified_date_is_not_stealth():
    v = judge(article(), article(text=BODY.replace("approved", "rejected"), modified="2026-03-04T10:00:00Z"))
    assert v.flags["body_changed"] and v.flags["modified_changed"] and not v.flags["stealth"]


def test_an_edit_with_a_correction_notice_is_not_stealth():
    text = BODY.replace("approved", "rejected") + "\n\nCorrection: an earlier version said the council approved it."
    v = judge(article(), article(text=text))
    assert v.flags["body_changed"] and not v.flags["stealth"]
    assert v.notice.startswith("Correction:")


def test_a_hidden_consent_wall_with_less_text_is_suspect():
    v = judge(article(), article(text="Paragraph 0 only.", word_count=40, consent_action="hide"))
    assert v.outcome == "suspect" and "consent wall" in v.reason


def test_a_hidden_banner_over_the_whole_article_is_not_suspect():
    assert judge(article(), article(consent_action="hide")).outcome == "same"


def test_a_banner_left_showing_is_suspect():
    assert judge(article(), article(consent_ok=0)).outcome == "suspect"


def test_far_shorter_text_is_suspect_not_an_edit():
    v = judge(article(), article(text="Paragraph 0.", word_count=30))
    assert v.outcome == "suspect" and "far shorter" in v.reason


def test_far_shorter_text_with_a_retraction_notice_is_a_real_change():
    v = judge(article(), article(text="This article has been removed after a complaint.", word_count=9))
    assert v.outcome == "changed" and v.notice


def test_a_paywall_is_suspect():
    text = "Paragraph 0 tells the story.\n\nSubscribe to continue reading this article."
    v = judge(article(), article(text=text, word_count=80))
    assert v.outcome == "suspect" and "paywall" in v.reason


def test_a_bot_check_page_is_suspect():
    assert judge(article(), article(title="Just a moment...", text="Checking your browser", word_count=3)).outcome == "suspect"


def test_a_redirect_to_another_page_is_suspect():
    v = judge(article(), article(final_url="https://news.test/", title="Front page"))
    assert v.outcome == "suspect" and "news.test/" in v.reason
