"""Chinese text utilities shared by indexing and querying: jieba tokens, sentences, numbers.

jieba runs with its own ``Tokenizer`` instance (no global state) loaded with the domain user dictionary in
``index/data/userdict.txt``; stopwords come from ``index/data/stopwords.txt``. Both are data a user can extend.
"""
from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources

import jieba
import jieba.posseg

jieba.setLogLevel(logging.WARNING)

SENTENCE_END = "。！？；!?;"
_SENT_RE = re.compile(r"[^。！？；!?;\n]*(?:[。！？；!?;]+[”’」』)）]*|\n|$)")
# The longest sentence: a longer run without a sentence end (a table flattened into one line, a hostile upload)
# is split into pieces of at most this many characters, after a comma, colon or space where there is one. Real
# reports stay far below it (the longest sentence of the seed and development reports has 334 characters), so it
# only bounds what one sentence, one passage and one encoder input can cost; no text is ever dropped.
MAX_SENTENCE_CHARS = 400
_SOFT_BREAK = "，,、：:）)”’」』 \t"
_lock = threading.Lock()


def _data_text(name: str) -> str:
    return resources.files("index").joinpath("data", name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def tokenizer() -> jieba.Tokenizer:
    with _lock:
        tk = jieba.Tokenizer()
        tk.initialize()
        for line in _data_text("userdict.txt").splitlines():
            parts = line.split()
            if parts:
                tk.add_word(parts[0], int(parts[1]) if len(parts) > 1 else None,
                            parts[2] if len(parts) > 2 else None)
        return tk


@lru_cache(maxsize=1)
def pos_tokenizer() -> jieba.posseg.POSTokenizer:
    return jieba.posseg.POSTokenizer(tokenizer())


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    return frozenset(w.strip() for w in _data_text("stopwords.txt").splitlines() if w.strip())


_PUNCT_OR_SPACE = re.compile(r"^[\s\W_]+$")


def tokenize(text: str) -> list[str]:
    """jieba tokens for BM25: search-mode segmentation, lower-cased, without stopwords and punctuation.

    One-character tokens are kept (率, 件, 县 carry meaning); search mode also emits the parts of long
    words (行政复议 -> 行政, 复议, 行政复议) so paraphrases still share tokens.
    """
    sw = stopwords()
    out = []
    for tok in tokenizer().cut_for_search(text):
        t = tok.strip().lower()
        if not t or t in sw or _PUNCT_OR_SPACE.match(t):
            continue
        out.append(t)
    return out


@lru_cache(maxsize=65536)
def tokenize_cached(text: str) -> tuple[str, ...]:
    """``tokenize`` memoised, for the short texts question answering looks at again and again."""
    return tuple(tokenize(text))


def find_all(text: str, sub: str) -> Iterator[int]:
    """Start offsets of ``sub`` in ``text`` (non-overlapping), without compiling a regex per word."""
    if not sub:
        return
    i = text.find(sub)
    while i != -1:
        yield i
        i = text.find(sub, i + len(sub))


@lru_cache(maxsize=16384)
def pos_cut_cached(text: str) -> tuple[tuple[str, str], ...]:
    return tuple(pos_cut(text))


def pos_cut(text: str) -> list[tuple[str, str]]:
    return [(w.word, w.flag) for w in pos_tokenizer().cut(text)]


def _bounded(text: str, s: int, e: int, limit: int) -> Iterator[tuple[int, int]]:
    """text[s:e] in pieces of at most ``limit`` characters, each ending after the last soft break (comma,
    colon, space …) in its second half when there is one; leading spaces of a piece are skipped."""
    while e - s > limit:
        cut = s + limit
        for i in range(cut - 1, s + limit // 2 - 1, -1):
            if text[i] in _SOFT_BREAK:
                cut = i + 1
                break
        yield s, cut
        s = cut
        while s < e and text[s].isspace():
            s += 1
    if e > s:
        yield s, e


def sentence_spans(text: str, start: int = 0, end: int | None = None,
                   max_chars: int = MAX_SENTENCE_CHARS) -> Iterator[tuple[int, int]]:
    """Yield (start, end) of sentences in text[start:end], split after 。！？； (and at newlines).

    Closing quotes/brackets that follow a sentence end stay with the sentence. Spans never include the
    newline and are never empty. A sentence longer than ``max_chars`` is split into pieces of at most that
    many characters (:data:`MAX_SENTENCE_CHARS`), so no sentence is unbounded.
    """
    end = len(text) if end is None else end
    pos = start
    for m in _SENT_RE.finditer(text, start, end):
        s, e = m.start(), m.end()
        if e > end:
            e = end
        if s >= end:
            break
        seg_e = e - 1 if e > s and text[e - 1] == "\n" else e
        # trim leading spaces
        while s < seg_e and text[s].isspace():
            s += 1
        if seg_e > s:
            yield from _bounded(text, s, seg_e, max_chars)
        pos = e
        if m.end() == m.start():
            break
    del pos
