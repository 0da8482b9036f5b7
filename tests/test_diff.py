"""The text diff behind change detection: paragraphs first, then words, as offsets into both texts."""

from __future__ import annotations

from capture.diff import diff_texts, fingerprint, tokenize

OLD = ("The council met on Monday.\n\n"
       "Work will begin in the spring and last three years.\n\n"
       "Residents filled the gallery.")


def edited(diff, side):
    """The token texts an edit removed (side a) or added (side b)."""
    text = diff.old if side == "a" else diff.new
    toks = diff.a_tokens if side == "a" else diff.b_tokens
    return [text[toks[i].start:toks[i].end] for op in diff.ops for i in diff.tokens_in(side, *op[side])]


def test_a_changed_word_is_one_word_replacement_with_offsets_into_both_texts():
    new = OLD.replace("spring", "autumn")
    d = diff_texts(OLD, new)
    assert [(o["op"], o["level"]) for o in d.ops] == [("replace", "word")]
    op = d.ops[0]
    assert OLD[op["a"][0]:op["a"][1]] == "spring" and new[op["b"][0]:op["b"][1]] == "autumn"
    assert d.stats["words_added"] == d.stats["words_removed"] == 1


def test_an_inserted_paragraph_is_one_paragraph_insertion_not_a_cascade():
    new = OLD.replace("\n\nWork", "\n\nThe quay flooded eleven times last winter.\n\nWork")
    d = diff_texts(OLD, new)
    assert [(o["op"], o["level"], o["pb"]) for o in d.ops] == [("insert", "paragraph", 1)]
    assert edited(d, "b") == ["The", "quay", "flooded", "eleven", "times", "last", "winter", "."]
    assert d.stats["paragraphs_added"] == 1 and d.stats["words_added"] == 7 and d.stats["words_removed"] == 0


def test_a_deleted_paragraph_is_marked_where_it_was_in_the_new_text():
    new = OLD.replace("Work will begin in the spring and last three years.\n\n", "")
    d = diff_texts(OLD, new)
    (op,) = d.ops
    assert (op["op"], op["level"], op["pa"]) == ("delete", "paragraph", 1)
    assert op["b"][0] == op["b"][1] == new.index("Residents")


def test_edits_in_several_places_give_exactly_the_edited_tokens():
    new = OLD.replace("Monday", "Tuesday night").replace("three", "four").replace(" the gallery", " it")
    d = diff_texts(OLD, new)
    assert edited(d, "a") == ["Monday", "three", "the", "gallery"]
    assert edited(d, "b") == ["Tuesday", "night", "four", "it"]


def test_the_same_two_texts_give_byte_identical_json():
    new = OLD.replace("spring", "autumn") + "\n\nA new closing line."
    assert diff_texts(OLD, new).as_json() == diff_texts(OLD, new).as_json()


def test_spacing_alone_is_no_change():
    assert diff_texts(OLD, OLD.replace(" met ", "  met ").replace("\n\n", "\n \n")).ops == []


def test_a_ticking_relative_time_is_no_change_in_several_languages():
    for a, b in [("Updated 5 minutes ago.", "Updated 12 minutes ago."), ("Stand: vor 3 Minuten", "Stand: vor 10 Minuten"),
                 ("Publié il y a 2 heures", "Publié il y a 3 heures"), ("hace 1 hora", "hace 2 horas")]:
        assert diff_texts(a, b).ops == [], (a, b)
        assert fingerprint({"text": a}) == fingerprint({"text": b})


def test_a_real_edit_next_to_a_relative_time_still_counts():
    d = diff_texts("Posted 5 minutes ago by the mayor.", "Posted 9 minutes ago by the council.")
    assert edited(d, "a") == ["mayor"] and edited(d, "b") == ["council"]


def test_scripts_without_spaces_are_diffed_by_character():
    d = diff_texts("東京都で雨が降った。", "東京都で雪が降った。")
    assert edited(d, "a") == ["雨"] and edited(d, "b") == ["雪"]
    assert [t.key for t in tokenize("iPhone発売")] == ["iPhone", "発", "売"]


def test_an_unchanged_passage_maps_to_its_place_in_the_new_text():
    new = "A new first paragraph.\n\n" + OLD.replace("spring", "autumn")
    d = diff_texts(OLD, new)
    s = OLD.index("Residents filled")
    span, intact = d.map_span(s, s + len("Residents filled the gallery."))
    assert intact and new[span[0]:span[1]] == "Residents filled the gallery."


def test_an_edited_passage_maps_to_the_edited_stretch_and_is_not_intact():
    new = OLD.replace("spring", "autumn")
    d = diff_texts(OLD, new)
    s = OLD.index("Work")
    span, intact = d.map_span(s, OLD.index("years.") + 6)
    assert not intact and new[span[0]:span[1]] == "Work will begin in the autumn and last three years."


def test_a_removed_passage_maps_to_nothing():
    new = OLD.replace("Work will begin in the spring and last three years.\n\n", "")
    d = diff_texts(OLD, new)
    s = OLD.index("Work")
    assert d.map_span(s, OLD.index("years.") + 6) == (None, False)


def test_a_rewritten_paragraph_unlike_the_old_one_is_a_deletion_and_an_insertion():
    new = OLD.replace("Work will begin in the spring and last three years.", "Nobody knows what happens next.")
    d = diff_texts(OLD, new)
    assert sorted((o["op"], o["level"]) for o in d.ops) == [("delete", "paragraph"), ("insert", "paragraph")]
