"""Choose the article's blocks: extractors vote, the DOM and the rendered layout decide.

Inputs are the visible DOM's blocks (extract_blocks.py) and the texts that
several extractors chose from the same DOM (trafilatura in two modes, a
readability port). Steps:

1. votes: for each block, the share of its word 4-grams found in each
   extractor's output;
2. seeds: prose blocks that most extractors agree on;
3. the article container: the deepest element holding nearly all seed text
   (when it holds a stream of stories, the one under the page title's headline);
4. the main column, from the boxes the browser recorded (js/visibility.js),
   when present;
5. inside the container, keep voted blocks and recover prose blocks the
   extractors missed, drop link lists, captions, asides, teasers, blocks out
   of the column, and non-prose before the first / after the last seed.

Nothing here knows about particular sites: only markup, text shape and layout.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass

from .extract_blocks import HEADINGS, Block

# Word tokens; Chinese and Japanese are written without spaces, so each character is a token there
# (a whole paragraph would otherwise be one or two "words" and never look like prose).
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
TOKEN_RE = re.compile(rf"[{_CJK}]|(?:(?![{_CJK}])\w)+", re.UNICODE)
SENTENCE_END = re.compile(r"[.!?…。！？:;\"”’»)\]]\s*$")

# class/id words of regions that are not the story even inside the article element.
BOILER_RE = re.compile(
    r"(?:^|[\s_-])(share|sharing|social|related|newsletter|promo|subscri\w*|signup|sign-up|advert\w*|ads?|adslot|"
    r"sponsor\w*|comments?|byline|author|caption|credit|tags?|breadcrumbs?|recommend\w*|more-stories|read-?more|"
    r"popular|trending|footer|nav|navigation|menu|toolbar|disclaimer|outbrain|taboola|teaser|widget|sidebar|"
    r"rail|inline-?related|embed-?related|most-?read|jump-?link|print|timestamp|dateline|meta|hidden|cmts?|tools?|"
    r"references|reflist|footnotes|citations|bibliography)(?:$|[\s_-])",
    re.I,
)
# regions that are never the story, whatever the extractors say
STRONG_BOILER_RE = re.compile(
    r"(?:^|[\s_-])(comments?|cmts?|newsletter|promo|advert\w*|ads?|adslot|sponsor\w*|related|share|sharing|social|"
    r"outbrain|taboola|recommend\w*|most-?read|trending)(?:$|[\s_-])", re.I)
CAPTION_TAGS = {"figcaption", "caption"}
LINKLIST_TAGS = {"nav", "aside", "footer", "header", "form", "menu"}


def tokens(text: str) -> list[str]:
    return TOKEN_RE.findall(text or "")


class Coverage:
    """Which word 4-grams (and short token runs) an extractor's output contains."""

    def __init__(self, text: str):
        toks = tokens(text)
        self.grams = {tuple(toks[i:i + 4]) for i in range(max(0, len(toks) - 3))}
        self.joined = " " + " ".join(toks) + " "
        self.empty = not toks

    def of(self, block_tokens: list[str]) -> float:
        if self.empty or not block_tokens:
            return 0.0
        if len(block_tokens) < 4:
            return 1.0 if (" " + " ".join(block_tokens) + " ") in self.joined else 0.0
        grams = [tuple(block_tokens[i:i + 4]) for i in range(len(block_tokens) - 3)]
        return sum(1 for g in grams if g in self.grams) / len(grams)


@dataclass
class Box:
    x: float
    y: float
    w: float
    h: float


def box_of(el) -> Box | None:
    """The layout the browser recorded for el or its nearest ancestor that has one."""
    while el is not None:
        raw = el.get("data-pk-box") if hasattr(el, "get") else None
        if raw:
            try:
                x, y, w, h = (float(v) for v in raw.split(","))
                return Box(x, y, w, h)
            except ValueError:
                return None
        el = el.getparent()
    return None


def _ancestors(el):
    while el is not None:
        yield el
        el = el.getparent()


def _attr_words(el) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''} {el.get('role') or ''} {el.get('itemprop') or ''}"


def _is_prose(b: Block, toks: list[str]) -> bool:
    return len(toks) >= 12 and b.link_density < 0.3 and bool(SENTENCE_END.search(b.text))


def _signature(el) -> tuple:
    return (el.tag, " ".join(sorted((el.get("class") or "").split())))


def _prose_chars(blocks: list[Block], toks: list[list[str]]) -> dict:
    """Characters of prose held by each element (every ancestor of a prose block)."""
    prose_of: dict = {}
    for b, t in zip(blocks, toks):
        if _is_prose(b, t):
            for el in _ancestors(b.el):
                prose_of[el] = prose_of.get(el, 0) + len(b.text)
    return prose_of


def _widen(container, prose_of: dict, levels: int = 4):
    """Articles cut into chunks (ad slots between parts, one grid row per part): when an
    ancestor of the container has siblings built like it that hold prose, take their parent."""
    el = container
    for _ in range(levels):
        parent = el.getparent()
        if parent is None or parent.tag in ("body", "html"):
            break
        sig = _signature(el)
        twins = [s for s in parent if s is not el and isinstance(s.tag, str) and _signature(s) == sig
                 and prose_of.get(s, 0) >= 200]
        if twins and sig[1]:
            return parent
        el = parent
    return container


SIDE_TAGS = {"table", "div", "aside", "figure", "section", "dl", "ul"}


def _floated_aside(el, container, column, beside: list) -> bool:
    """A box set beside the text (an infobox, a fact box, a pull quote floated right): inside the
    article element, narrower than half the column, with story text running alongside it. In
    normal flow blocks stack; a prose block whose box overlaps this one is flowing around a float."""
    if column is None:
        return False
    width = column[1] - column[0]
    if width <= 0:
        return False
    for anc in _ancestors(el):
        if anc is container:
            return False
        if anc.tag not in SIDE_TAGS or not anc.get("data-pk-box"):
            continue
        bx = box_of(anc)
        if bx is None or bx.w <= 0 or bx.w >= 0.5 * width:
            continue
        for t in beside:
            if min(t.y + t.h, bx.y + bx.h) - max(t.y, bx.y) > 4 and min(t.x + t.w, bx.x + bx.w) - max(t.x, bx.x) > 4:
                return True
    return False


def _cut_at_comment_form(container, blocks: list[Block], toks, chosen: list[int]) -> list[int]:
    """A form with a free-text box inside the article element starts the reader comments:
    nothing after it (nor the short heading just before it) is the story."""
    forms = [ta for ta in container.iter("textarea")]
    if not forms or not chosen:
        return chosen
    start = forms[0]
    for el in _ancestors(forms[0]):
        if el is container:
            break
        if el.tag == "form":
            start = el
            break
    order = {el: n for n, el in enumerate(container.iter())}
    pos = order.get(start)
    if pos is None:
        return chosen
    cut = next((i for i in range(len(blocks)) if order.get(blocks[i].el, -1) >= pos), None)
    if cut is None:
        return chosen
    before = sum(len(blocks[i].text) for i in chosen if i < cut)
    total = sum(len(blocks[i].text) for i in chosen)
    if before < 0.5 * total:
        return chosen
    kept = [i for i in chosen if i < cut]
    while kept and not _is_prose(blocks[kept[-1]], toks[kept[-1]]) and cut - kept[-1] <= 3 \
            and len(toks[kept[-1]]) <= 8:
        kept.pop()
    return kept


# A heading that opens the readers' comments, in the languages pagekeep reads.
_COMMENT_WORDS = (r"comments|trackbacks?|pingbacks?|leave an? (?:reply|comment)|join the discussion|kommentare|"
                  r"kommentieren|commentaires|laisser un commentaire|comentarios|deja un comentario|commenti|"
                  r"lascia un commento|reacties|kommentarer|komentarze|komentáře|комментари\w*|コメント|评论|評論|留言")
_QUALIFIED = r"(?:\d+\s+)(?:responses?|replies)|(?:responses?|replies)(?=\s+(?:to|on)\b)"
COMMENTS_HEADING = re.compile(
    rf"^\W*(?:\d+\s+)?(?:{_COMMENT_WORDS}|{_QUALIFIED})"
    r"(?:\s*\(?\d+\)?|\s+(?:on|to|for|zu|sur|a)\s+(?:this|diesem|ce|cet|cette|este|esta)\s+\w+|"
    r"\s+(?:to|on|zu|à|a)\s+[“\"«„‘'].{0,150})?\s*:?\W*$", re.I)


def _cut_at_comments_heading(container, blocks: list[Block], chosen: list[int]) -> list[int]:
    """Old blog templates put the comments in the post's own element, after a 'Comments' heading
    and nothing else to tell them apart: the story ends at that heading."""
    if not chosen:
        return chosen
    first, last = chosen[0], chosen[-1]
    cut = next((i for i in range(first + 1, last + 1) if COMMENTS_HEADING.match(blocks[i].text) and (
        blocks[i].tag in HEADINGS or (len(blocks[i].text) <= 40 and blocks[i].link_density < 0.5))), None)
    if cut is None:
        return chosen
    before = sum(len(blocks[i].text) for i in chosen if i < cut)
    if before < 150:  # a discussion may outgrow its post, but a post comes first
        return chosen
    return [i for i in chosen if i < cut]


def _headline_matches(heading: str, title: str) -> bool:
    h = [t.lower() for t in tokens(heading)]
    t = [x.lower() for x in tokens(title)]
    if not h or not t:
        return False
    shared = len(set(h) & set(t))
    return shared >= 0.8 * len(set(h)) and shared >= 0.6 * len(set(t))


def _one_story(container, seed_of: dict, seed_total: int, prose_of: dict, title: str | None):
    """Pages that append the next story as the reader scrolls (or stack several) put more than one
    story in the region the extractors agree on. The record is the story under the headline that
    matches the page's title, when its siblings are built the same way and carry headlines of their
    own; otherwise (a live blog's posts, an article cut into chunks) the region stays whole."""
    if not title or container is None:
        return None
    headings = [h for h in container.iter("h1", "h2", "h3") if _headline_matches(h.text_content(), title)]
    if len(headings) != 1:
        return None
    chain = []
    for el in _ancestors(headings[0]):
        if el is container:
            break
        chain.append(el)
    else:
        return None
    story = next((el for el in chain if seed_of.get(el, 0) >= 0.5 * seed_total), None)
    if story is None:
        return None
    level = headings[0].tag

    def own_headline(el):
        first = next(iter(el.iter("h1", "h2", "h3")), None)
        return first is not None and first.tag == level  # a section's subheading is a level lower

    for el in chain[chain.index(story):]:
        if next(iter(el.iter("h1", "h2", "h3"))) is not headings[0]:
            return None
        sig = _signature(el)
        twins = [t for t in el.getparent() if t is not el and isinstance(t.tag, str) and _signature(t) == sig
                 and prose_of.get(t, 0) >= 200 and own_headline(t)]
        if twins:
            return el
    return None


@dataclass
class Choice:
    blocks: list[Block]
    container: object | None
    seeds: int


@dataclass
class Analysis:
    """What the votes, the DOM and the layout say about each block of one page."""
    blocks: list[Block]
    toks: list[list[str]]
    votes: list[dict]
    n_ext: int
    need: float
    seeds: list[int]
    container: object
    narrow: object
    inside: set
    column: tuple | None
    seed_boxes: list
    first_seed: int = 0
    last_seed: int = 0

    def support(self, i: int) -> float:
        return float(sum(1 for v in self.votes[i].values() if v >= 0.5))

    def prose(self, i: int) -> bool:
        return _is_prose(self.blocks[i], self.toks[i])

    def in_column(self, i: int) -> bool:
        if self.column is None:
            return True
        bx = box_of(self.blocks[i].el)
        if bx is None or bx.w <= 0:
            return True
        overlap = min(bx.x + bx.w, self.column[1]) - max(bx.x, self.column[0])
        return overlap >= 0.5 * min(bx.w, self.column[1] - self.column[0])

    def boilerplate_region(self, i: int) -> bool:
        for el in _ancestors(self.blocks[i].el):
            if el is self.container:
                return False
            tag = el.tag if isinstance(el.tag, str) else ""
            if tag in CAPTION_TAGS or tag in LINKLIST_TAGS or tag == "figure" or BOILER_RE.search(_attr_words(el)):
                return True
        return False

    def strong_boilerplate(self, i: int) -> bool:
        for el in _ancestors(self.blocks[i].el):
            if el is self.container or el.tag == "blockquote":   # a quoted post is content
                return False
            if STRONG_BOILER_RE.search(_attr_words(el)):
                return True
        return False

    def floated(self, i: int) -> bool:
        return _floated_aside(self.blocks[i].el, self.container, self.column, self.seed_boxes)


def _seeds(blocks, toks, support, need) -> list[int]:
    """Prose most extractors agree on; failing that, anything one of them chose."""
    seeds = [i for i, b in enumerate(blocks) if support(i) >= need and len(toks[i]) >= 8 and b.link_density < 0.4
             and (SENTENCE_END.search(b.text) or len(toks[i]) >= 25)]
    return seeds or [i for i in range(len(blocks)) if support(i) >= 1.0]


def _container(blocks, toks, seeds, title):
    """The deepest element holding >= 85% of the seed text, widened over chunks, narrowed to one story."""
    weight_of: dict = {}
    depth: dict = {}
    total = 0
    for i in seeds:
        w = len(blocks[i].text)
        total += w
        for d, el in enumerate(reversed(list(_ancestors(blocks[i].el)))):
            weight_of[el] = weight_of.get(el, 0) + w
            depth[el] = d
    container = max((el for el, w in weight_of.items() if w >= 0.85 * total), key=lambda el: depth[el])
    narrow = container
    prose_of = _prose_chars(blocks, toks)
    container = _widen(container, prose_of)
    story = _one_story(container, weight_of, total, prose_of, title)
    if story is not None:
        container = narrow = story
    return container, narrow


def analyse(blocks: list[Block], outputs: dict[str, str], title: str | None = None) -> Analysis | None:
    """Votes, seeds, the article element and the main column of one page (None: nothing voted for)."""
    if not blocks:
        return None
    covs = {name: Coverage(text) for name, text in outputs.items() if text}
    toks = [tokens(b.text) for b in blocks]
    votes = [{name: cov.of(t) for name, cov in covs.items()} for t in toks]
    n_ext = max(1, len(covs))
    need = 2.0 if n_ext >= 2 else 1.0
    a = Analysis(blocks, toks, votes, n_ext, need, [], None, None, set(), None, [])
    a.seeds = _seeds(blocks, toks, a.support, need)
    if not a.seeds:
        return None
    a.container, a.narrow = _container(blocks, toks, a.seeds, title)
    a.inside = {i for i, b in enumerate(blocks) if any(el is a.container for el in _ancestors(b.el))}
    boxes = [box_of(blocks[i].el) for i in a.seeds]
    a.seed_boxes = [bx for bx in boxes if bx and bx.w > 0]
    if len(a.seed_boxes) >= 2:
        a.column = (statistics.median(bx.x for bx in a.seed_boxes), statistics.median(bx.x + bx.w for bx in a.seed_boxes))
    core = [i for i in a.seeds if i in a.inside and not a.strong_boilerplate(i)] or a.seeds
    a.first_seed, a.last_seed = min(core), max(core)
    if a.container is not a.narrow:
        # a widened (chunked) article runs on to its last prose block
        prose_after = [i for i in a.inside if i > a.last_seed and a.prose(i) and not a.boilerplate_region(i)]
        if prose_after:
            a.last_seed = max(prose_after)
    return a


KEEP_NON_PROSE = HEADINGS | {"li", "blockquote", "pre", "td", "th", "dd", "dt"}


def linked_sentence(a: Analysis, i: int) -> bool:
    """A paragraph of the story that every extractor kept and whose sentence is a link (a roundup's items)."""
    b = a.blocks[i]
    return (b.tag == "p" and a.support(i) >= a.n_ext and a.first_seed <= i <= a.last_seed
            and len(a.toks[i]) >= 12 and bool(SENTENCE_END.search(b.text))
            and sum(1 for x in b.el.iter("a") if x.text_content().strip()) == 1)  # not a row of promo links


def rule_keep(a: Analysis, i: int) -> bool:
    """The hand-written decision for one block inside the article element."""
    b, s, prose = a.blocks[i], a.support(i), a.prose(i)
    in_span = a.first_seed <= i <= a.last_seed
    keep = s >= a.need or (s >= 1.0 and (prose or in_span))
    # recovered: prose inside the article the extractors skipped
    if not keep and not (prose and in_span and not a.boilerplate_region(i)):
        return False
    if s < a.n_ext and a.boilerplate_region(i) and (not prose or s < a.need):
        return False
    if a.strong_boilerplate(i):
        return False
    if s < a.need and not prose and b.tag not in KEEP_NON_PROSE:
        return False
    if b.link_density > 0.6 and (s < a.n_ext or b.tag != "li") and not linked_sentence(a, i):
        return False
    if not a.in_column(i) and s < a.n_ext:
        return False
    if s < a.n_ext and a.floated(i):
        return False
    return not (not in_span and not prose and s < a.n_ext)


def choose(blocks: list[Block], outputs: dict[str, str], title: str | None = None, trace: list | None = None) -> Choice:
    a = analyse(blocks, outputs, title)
    if a is None:
        return Choice([], None, 0)
    chosen = []
    for i, b in enumerate(blocks):
        keep = i in a.inside and rule_keep(a, i)
        if keep:
            chosen.append(i)
        if trace is not None and (i in a.inside or a.support(i) > 0):
            trace.append((i, keep if i in a.inside else "OUT", a.support(i), a.prose(i), i in a.seeds, a.in_column(i),
                          a.boilerplate_region(i), b.tag, b.text[:90]))
    return finish(a, chosen, title)


def finish(a: Analysis, chosen: list[int], title: str | None) -> Choice:
    """What holds whichever way blocks were chosen: the comments are cut off, quoted posts kept
    whole, the headline left to the title, credits repeated under every picture dropped."""
    blocks, toks = a.blocks, a.toks
    chosen = _cut_at_comment_form(a.container, blocks, toks, sorted(chosen))
    chosen = _cut_at_comments_heading(a.container, blocks, chosen)
    chosen_set = set(chosen)
    quotes: dict = {}
    for i in a.inside:
        for el in _ancestors(blocks[i].el):
            if el is a.container:
                break
            if el.tag == "blockquote":
                quotes.setdefault(el, []).append(i)
                break
    for members in quotes.values():
        if any(i in chosen_set for i in members):
            chosen_set.update(i for i in members if blocks[i].link_density <= 0.8)
    chosen = sorted(chosen_set)
    if title:
        nt = " ".join(tokens(title)).lower()
        chosen = [i for i in chosen if not (blocks[i].tag in HEADINGS | {"div", "p"} and " ".join(toks[i]).lower() == nt)]
    counts: dict = {}
    for i in chosen:
        key = " ".join(toks[i])
        counts[key] = counts.get(key, 0) + 1
    out = [blocks[i] for i in chosen
           if not (counts[" ".join(toks[i])] >= 2 and len(toks[i]) >= 4 and a.boilerplate_region(i))]
    return Choice(out, a.container, len(a.seeds))
