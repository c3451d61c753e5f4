"""Background tasks of chat UIs: recognised, answered cheaply, never refused.

Besides the user's questions, chat UIs send the same model prompts of their own, with the chat inside: Open WebUI
asks for a title, tags, follow-up suggestions and search queries (a user message ``### Task: … <chat_history>
USER: … ASSISTANT: … </chat_history>`` that asks for JSON such as ``{ "title": … }``), LobeChat for a topic title
(a system prompt, the chat as ``user: …`` lines, plain text back). They are not questions about the reports; we
answer them from the chat itself and the index, without a language model:

* title: the place, year and indicator of the chat's last question ("云溪市2024年行政复议纠错率");
* tags: the places and years the chat names, after "法治政府建设";
* follow-ups: other figures the cited report also gives (its rates, then its counts), each checked to be
  answerable, as questions for the same place and year;
* queries: the chat's last question, resolved against the turns before it (:mod:`qa.followup`);
* anything else in that form (image prompt, autocomplete, emoji …): the empty answer of its shape.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from enum import StrEnum

from qa.engine import QA, QuestionError
from qa.followup import Resolved, resolve
from qa.models import QAResult

DOMAIN_TAG = "法治政府建设"
MAX_FOLLOW_UPS = 3
MAX_TRIED = 8  # figures of the report tried as follow-ups (each one is asked, to keep only answerable ones)
MAX_TITLE_CHARS = 30

_HISTORY = re.compile(r"<chat_history>\s*(.*?)\s*</chat_history>", re.S)
_ROLE_LINE = re.compile(r"^(USER|ASSISTANT|SYSTEM|user|assistant|system):\s?", re.M)
# the JSON key the prompt asks for: { "title": …}, { "follow_ups": [...] } …
_JSON_KEY = re.compile(r"""\{\s*["'](title|tags|follow_ups|queries|prompt|text)["']\s*:""")
_LOBE_TITLE = re.compile(r"conversation summarizer|summarize user conversations into titles|"
                         r"总结为\s*\d+\s*个字以内的标题|summari[sz]e the above conversation into a title", re.I)
_EMOJI = re.compile(r"reflect the speaker's likely facial expression", re.I)
# a figure's name before it: 纠错率为12.4%, 按期结案率达100%; 受理行政复议案件215件
_RATE_FIGURE = re.compile(r"([\u4e00-\u9fff]{2,12}率)(?:为|达到|达|是|约)?\s*\d+(?:\.\d+)?\s*%")
_COUNT_FIGURE = re.compile(r"((?:受理|新收|办理|审结|收到|开展|培训|化解|调解|审查|备案|出具|提供)"
                           r"[\u4e00-\u9fff]{2,10}?)"
                           r"\s*\d+(?:\.\d+)?\s*(?:件|人次|次|场|个)")
_LEADING_FUNCTION = re.compile(r"^(?:其中|全年|同比|共|累计|的|和|及|并|全市|全县|全区)+")


class TaskKind(StrEnum):
    TITLE = "title"
    TAGS = "tags"
    FOLLOW_UPS = "follow_ups"
    QUERIES = "queries"
    IMAGE_PROMPT = "prompt"
    AUTOCOMPLETE = "text"
    EMOJI = "emoji"
    OTHER = "other"


@dataclass(frozen=True)
class Task:
    """A chat UI's background task: its kind, the user turns of the chat it carries, and the reply's form."""

    kind: TaskKind
    user_turns: list[str] = field(default_factory=list)
    as_json: bool = True  # Open WebUI parses JSON; LobeChat takes the text as it is


def _turns(history: str) -> list[tuple[str, str]]:
    """``USER: a\\nASSISTANT: b`` -> [("user", "a"), ("assistant", "b")] (a message may span lines)."""
    marks = list(_ROLE_LINE.finditer(history))
    return [(m.group(1).lower(), history[m.end(): marks[i + 1].start() if i + 1 < len(marks) else len(history)].strip())
            for i, m in enumerate(marks)]


def detect(messages: list[tuple[str, str]]) -> Task | None:
    """The task in a chat request (``(role, text)`` pairs), or None when it is a user's question."""
    if not messages:
        return None
    last_user = next((t for r, t in reversed(messages) if r == "user"), "")
    system = "\n".join(t for r, t in messages if r in ("system", "developer"))
    if _EMOJI.search(last_user):
        return Task(TaskKind.EMOJI, as_json=False)
    hist = _HISTORY.search(last_user)
    if hist:
        users = [t for r, t in _turns(hist.group(1)) if r == "user" and t]
        key = _JSON_KEY.search(last_user[:hist.start()] + last_user[hist.end():])
        return Task(TaskKind(key.group(1)) if key else TaskKind.OTHER, users)
    if _LOBE_TITLE.search(system) or _LOBE_TITLE.search(last_user):
        history = _turns(last_user)
        users = [t for r, t in history if r == "user" and t] or [last_user]
        return Task(TaskKind.TITLE, users, as_json=False)
    return None


def _resolved(task: Task, qa: QA) -> Resolved | None:
    turns = [t for t in task.user_turns if t.strip()]
    if not turns:
        return None
    return resolve(turns[:-1], turns[-1], qa.gazetteer)


def _answered(task: Task, qa: QA) -> tuple[Resolved, QAResult] | None:
    """The chat's last question (resolved) and what the service answers to it."""
    r = _resolved(task, qa)
    if r is None:
        return None
    try:
        return r, qa.ask(r.question)
    except QuestionError:
        return None


def title(task: Task, qa: QA) -> str:
    """The chat's last question, as place + year + what is asked (or its first words)."""
    got = _answered(task, qa)
    if got is None:
        return DOMAIN_TAG
    r, res = got
    cited = res.answers[0].citation if res.answers else None
    region = res.query.regions[0] if res.query and res.query.regions else (cited.region if cited else None)
    label = r.label(region, cited.year if cited else None) if (r.place or region) and r.indicator else ""
    text = label or re.sub(r"[\s?？。!！,，]+", "", r.question)
    return text[:MAX_TITLE_CHARS] or DOMAIN_TAG


def tags(task: Task, qa: QA) -> list[str]:
    out = [DOMAIN_TAG]
    for turn in task.user_turns:
        regions, _ = qa.gazetteer.find_regions(turn)
        years = [f"{y}年" for y in map(int, re.findall(r"(?<!\d)((?:19|20)\d\d)(?=\s*年)", turn))]
        out += [x for x in [*regions, *years] if x not in out]
    return out[:5]


def _figure_names(text: str) -> list[str]:
    """Names of the figures a report gives: its rates first, then its counts (in the report's order)."""
    names: list[str] = []
    for rx in (_RATE_FIGURE, _COUNT_FIGURE):
        for m in rx.finditer(text):
            name = _LEADING_FUNCTION.sub("", m.group(1))
            if len(name) >= 3 and name not in names:
                names.append(name)
    return names


def follow_ups(task: Task, qa: QA) -> list[str]:
    """Questions about other figures of the report the chat's last answer cites, each one answerable."""
    got = _answered(task, qa)
    if got is None:
        return []
    r, res = got
    doc_id = res.answers[0].citation.doc_id if res.answers else (res.passages[0].doc_id if res.passages else None)
    if doc_id is None:
        return []
    meta = qa.index.documents[doc_id].meta
    place = r.place or meta.region or ""
    when = f"{meta.year}年" if meta.year else ""
    out: list[str] = []
    for name in _figure_names(qa.index.documents[doc_id].clean_text)[:MAX_TRIED]:
        if name in (r.indicator or "") or (r.indicator and r.indicator in name):
            continue
        q = f"{place}{when}{name}是多少"
        if qa.ask(q).answers:
            out.append(q)
        if len(out) >= MAX_FOLLOW_UPS:
            break
    return out


def queries(task: Task, qa: QA) -> list[str]:
    r = _resolved(task, qa)
    return [r.question] if r else []


def answer(task: Task, qa: QA) -> str:
    """The reply's content: JSON in the shape the prompt asks for, or plain text."""
    if task.kind is TaskKind.EMOJI:
        return "📄"
    if task.kind is TaskKind.TITLE:
        t = title(task, qa)
        return json.dumps({"title": t}, ensure_ascii=False) if task.as_json else t
    values = {TaskKind.TAGS: lambda: tags(task, qa), TaskKind.FOLLOW_UPS: lambda: follow_ups(task, qa),
              TaskKind.QUERIES: lambda: queries(task, qa), TaskKind.IMAGE_PROMPT: lambda: "",
              TaskKind.AUTOCOMPLETE: lambda: ""}
    if task.kind in values:
        return json.dumps({task.kind.value: values[task.kind]()}, ensure_ascii=False)
    return "{}"
