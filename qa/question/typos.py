"""Read a word mistyped by a pinyin input method as the reports' word it sounds like (复意 -> 复议, 申清 -> 申请).

People type questions with a pinyin keyboard, and the wrong character of the right sound is the commonest slip. A
word of the question is corrected only when all of these hold, so a question typed right is never touched:

* the question's word (jieba, the index's tokenizer) has two characters or more and is unknown: not in jieba's
  dictionary, not in the index's vocabulary, nowhere in the indexed text;
* changing exactly one of its characters to another of the same common reading (pypinyin, toneless) gives a word
  of the index's vocabulary that the indexed text says twice or more, and only one such word exists;
* the changed character does not already make a pair the reports use with its neighbour outside the word (人述|法
  is the reports' 述法, not a slip for 人数), and is no frequent word of its own (哪些|人用 is 人 + 用, not 任用).

The reply says how the question was read (``QAResult.normalized``), as for a place one character off.

    >>> fixer = TypoFixer(vocab={"复议", "纠错率", "行政"}, text="行政复议纠错率 行政复议 复议")
    >>> fixer.fix("青禾县行政复意纠错率")
    '青禾县行政复议纠错率'
"""
from __future__ import annotations

from collections.abc import Collection
from functools import cache

from index.text import tokenizer
from qa.answer.types import CJK_WORD

MIN_SAID = 2  # how often the indexed text must say the corrected word
# a character jieba's dictionary counts this often as a word of its own (人, 用, 有) is that word, not a slip
WORD_ON_ITS_OWN = 50_000


def _cjk(s: str) -> bool:
    return bool(CJK_WORD.fullmatch(s))


@cache
def _reading(c: str) -> str:
    from pypinyin import Style, pinyin

    return pinyin(c, style=Style.NORMAL)[0][0]


class TypoFixer:
    """Corrects one-character pinyin slips against an index's vocabulary and text."""

    def __init__(self, vocab: Collection[str], text: str):
        self.vocab = vocab
        self.text = text
        self._by_reading: dict[str, set[str]] | None = None

    def _same_sound(self, c: str) -> set[str]:
        if self._by_reading is None:  # built on the first unknown word: most questions never need it
            table: dict[str, set[str]] = {}
            for ch in {ch for ch in self.text if _cjk(ch)}:
                table.setdefault(_reading(ch), set()).add(ch)
            self._by_reading = table
        return self._by_reading.get(_reading(c), set()) - {c}

    def _known(self, word: str) -> bool:
        return tokenizer().FREQ.get(word, 0) > 0 or word in self.vocab or word in self.text

    def _fits_outside(self, q: str, j: int, first: bool, last: bool) -> bool:
        """The character at ``q[j]`` makes a pair the reports use with its neighbour outside its word."""
        pairs = ([q[j - 1:j + 1]] if first and j > 0 else []) + ([q[j:j + 2]] if last and j + 1 < len(q) else [])
        return any(_cjk(p) and len(p) == 2 and p in self.text for p in pairs)

    def _correction(self, q: str, start: int, word: str) -> str | None:
        found = set()
        freq = tokenizer().FREQ
        for i, c in enumerate(word):
            if freq.get(c, 0) >= WORD_ON_ITS_OWN or self._fits_outside(q, start + i, i == 0, i == len(word) - 1):
                continue
            for d in self._same_sound(c):
                fixed = word[:i] + d + word[i + 1:]
                if fixed in self.vocab and self.text.count(fixed) >= MIN_SAID:
                    found.add(fixed)
        return found.pop() if len(found) == 1 else None

    def fix(self, q: str) -> str:
        """``q`` with each mistyped word read as the reports' word it sounds like; ``q`` itself when none is."""
        out, pos = [], 0
        for word in tokenizer().lcut(q):
            start, pos = pos, pos + len(word)
            fixed = None
            if len(word) >= 2 and _cjk(word) and not self._known(word):
                fixed = self._correction(q, start, word)
            out.append(fixed or word)
        return "".join(out)
