"""What kind of message a question is before any report is searched: a question about the reports, a greeting or a
question about the service itself (chitchat), or text that asks nothing the reports could answer (out of scope).

    >>> intent("你好!").kind, intent("asdfgh").kind, intent("青禾县2023年行政复议纠错率是多少").kind
    ('chitchat', 'out_of_scope', 'question')

Whether a Chinese question is about what the reports cover at all is judged by the engine against the index's
own vocabulary (``QA._off_topic``): no word list here knows the domain.
"""
from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from qa.lexicon import listed, table, words

_CJK = re.compile(r"[\u4e00-\u9fff]")
_FILLERS = "".join(listed("q_greeting_fillers"))  # 啊, 呀, 请问 …
_MESSAGES = {r["key"]: r["text"] for r in table("q_messages.tsv")}


class Intent(NamedTuple):
    kind: str  # question | chitchat | out_of_scope
    reason: str | None = None


def _bare(text: str) -> str:
    return "".join(c for c in text.lower() if not (unicodedata.category(c)[0] in "PZS" or c.isspace()))


def is_chitchat(text: str) -> bool:
    """A greeting, thanks or a question about the service: the whole message, or greetings in a row
    (你好，你能做什么)."""
    rest = _bare(text)
    if not rest:
        return False
    phrases = [_bare(w) for w in words("greetings.txt")]
    changed = True
    while rest and changed:
        changed = False
        for p in phrases:  # longest first
            if p and rest.startswith(p):
                rest, changed = rest[len(p):], True
                break
        rest = rest.lstrip(_FILLERS)
    return not rest


def intent(text: str) -> Intent:
    if is_chitchat(text):
        return Intent("chitchat")
    if not _CJK.search(text):
        return Intent("out_of_scope", _MESSAGES["no_chinese"])
    return Intent("question")
