"""Split a cleaned report into passages with section context and exact offsets.

A paragraph (one line of the cleaned text) is a passage; a long paragraph is split at sentence ends
(。！？；) into passages of at most ``max_chars`` — a sentence is never cut, so a sentence longer than the
limit makes a passage of its own; sentences are themselves bounded (:data:`index.text.MAX_SENTENCE_CHARS`: a
longer run without a sentence end is split after a comma or space), so no passage is longer than either bound
and no text is dropped. Heading lines (一、… / (一)… / 1.…) are not passages; they form the section
path carried by the passages below them. Inline headings — a paragraph that opens with "(一)标题。" or
"一是标题。" — contribute their first sentence to the path.
"""
from __future__ import annotations

import hashlib
import re

from index.encoders import MAX_ENCODE_CHARS
from index.models import Document, Passage
from index.text import sentence_spans

CN_NUM = "一二三四五六七八九十百零〇"
_H1 = re.compile(rf"^[{CN_NUM}]+\s*[、.．]")
_H2 = re.compile(rf"^[（(]\s*[{CN_NUM}]+\s*[)）]")
_H3 = re.compile(r"^(\d{1,2}\s*[、.．](?!\d)|[（(]\s*\d{1,2}\s*[)）])")
_SUB = re.compile(rf"^[{CN_NUM}]+是")
_HEADING_MAX = 60


def heading_level(line: str) -> int | None:
    for level, rx in ((1, _H1), (2, _H2), (3, _H3)):
        if rx.match(line):
            return level
    return None


def _first_sentence(text: str) -> str:
    m = re.match(r"[^。！？；!?;]*[。！？；!?;]?", text)
    return (m.group(0) if m else text).rstrip("。；;:：")


def _is_heading_only(line: str) -> bool:
    return len(line) <= _HEADING_MAX and not re.search(r"[。！？；!?;]$", line.rstrip()) \
        and not re.search(r"[。！？；!?;].", line)


def _chunks(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """Group the sentences of text[start:end] into runs of at most max_chars (a sentence is never cut)."""
    out: list[tuple[int, int]] = []
    cur_s: int | None = None
    cur_e = start
    for s, e in sentence_spans(text, start, end):
        if cur_s is None:
            cur_s, cur_e = s, e
        elif e - cur_s <= max_chars:
            cur_e = e
        else:
            out.append((cur_s, cur_e))
            cur_s, cur_e = s, e
    if cur_s is not None:
        out.append((cur_s, cur_e))
    return out


def passage_id(doc_id: str, start: int, end: int) -> str:
    return f"{doc_id}:{start}-{end}"


def build_header(doc: Document, section: list[str]) -> str:
    m = doc.meta
    parts = [m.region or "", f"{m.year}年" if m.year else "", m.title]
    if m.issuer and m.issuer not in m.title:
        parts.append(m.issuer)
    head = " ".join(p for p in parts if p)
    if section:
        head += " | " + " > ".join(section)
    return head


def split_passages(doc: Document, max_chars: int = 320) -> list[Passage]:
    text = doc.clean_text
    passages: list[Passage] = []
    section: list[str] = []
    levels: list[int] = []
    pos = 0
    matter: list[tuple[int, int]] = []  # title, number, addressee lines above the body; signature, date below
    for line in text.split("\n"):
        line_start, line_end = pos, pos + len(line)
        pos = line_end + 1
        if not line.strip():
            continue
        if line.strip() == doc.meta.title:
            matter.append((line_start, line_end))
            continue
        level = heading_level(line)
        if level is not None:
            heading = line if _is_heading_only(line) else _first_sentence(line)
            # a heading closes every open heading of its level or deeper (a report may skip a level)
            while levels and levels[-1] >= level:
                levels.pop()
                section.pop()
            section = section + [heading[:_HEADING_MAX]]
            levels.append(level)
            if _is_heading_only(line):
                continue
        elif _is_heading_only(line) and (len(line) <= 30 or not passages):
            matter.append((line_start, line_end))
            continue  # issuer / title lines above the body, signature and date lines below it
        for cs, ce in _chunks(text, line_start, line_end, max_chars):
            chunk = text[cs:ce]
            sub = section
            if _SUB.match(chunk):
                sub = section + [_first_sentence(chunk)[:_HEADING_MAX]]
            passages.append(Passage(
                passage_id=passage_id(doc.doc_id, cs, ce), doc_id=doc.doc_id, start=cs, end=ce, text=chunk,
                section=list(sub), header=build_header(doc, sub)))
    return passages + _matter_passages(doc, matter, passages)


def _matter_passages(doc: Document, matter: list[tuple[int, int]], body: list[Passage]) -> list[Passage]:
    """The lines above the body (title, document number, addressee) and below it (signature, date) as one
    passage each, so that 文号 / 报给谁 / 落款日期 can be answered and cited."""
    first = body[0].start if body else len(doc.clean_text)
    last = body[-1].end if body else 0
    blocks = [[r for r in matter if r[1] <= first], [r for r in matter if r[0] >= last]]
    # a cover letter's signature and date between the letter and the report itself: runs of adjacent lines
    for r in (r for r in matter if r[1] > first and r[0] < last):
        prev = blocks[-1][-1] if len(blocks) > 2 and blocks[-1] else None
        if prev and not doc.clean_text[prev[1]:r[0]].strip():
            blocks[-1].append(r)
        else:
            blocks.append([r])
    out = []
    for block in blocks:
        if not block:
            continue
        cs, ce = block[0][0], block[-1][1]
        out.append(Passage(passage_id=passage_id(doc.doc_id, cs, ce), doc_id=doc.doc_id, start=cs, end=ce,
                           text=doc.clean_text[cs:ce], section=[doc.meta.title], header=build_header(doc, [])))
    return out


def embed_text(p: Passage) -> str:
    """What is embedded and BM25-indexed for a passage: its header, then its text; the header is shortened so
    that the whole fits the encoder's input (MAX_ENCODE_CHARS; the text itself is at most a few hundred)."""
    if not p.header:
        return p.text
    room = MAX_ENCODE_CHARS - 1 - len(p.text)
    return f"{p.header if len(p.header) <= room else p.header[:max(room, 0)]}\n{p.text}"


def corpus_checksum(docs: list[Document]) -> str:
    h = hashlib.sha256()
    for d in sorted(docs, key=lambda d: d.doc_id):
        h.update(d.doc_id.encode())
        h.update(b"\0")
        h.update(d.clean_text.encode())
        h.update(repr(sorted(d.meta.to_dict().items())).encode())
    return h.hexdigest()
