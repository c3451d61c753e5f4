"""Every weight and threshold of answer extraction, named in one place, each with a one-line why."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Params:
    # --- a sentence's score: how well it answers, before looking at spans
    w_cover: float = 0.5  # idf-weighted share of the question's words in the sentence: the strongest signal
    w_dense: float = 0.3  # dense similarity catches paraphrases the word match misses
    w_retrieval: float = 0.2  # the passage's fused retrieval score (relative to the best passage)
    # --- a span's final score = these weights over sentence cover / dense / retrieval / the span's own score
    span_w_cover: float = 0.45
    span_w_dense: float = 0.15
    span_w_retrieval: float = 0.1
    span_w_span: float = 0.3
    # figures: their own clause must carry the question's words, so the span's own score weighs more
    figure_w_cover: float = 0.3
    figure_w_dense: float = 0.1
    figure_w_retrieval: float = 0.1
    figure_w_span: float = 0.5
    # --- figures
    unit_exact: float = 1.0  # the figure's unit is the one asked (多少件 -> 件)
    unit_family: float = 0.75  # same family (件 / 起 / 宗)
    unit_unknown: float = 0.6  # the question names no unit
    unit_other_count: float = 0.45  # both are counts, of different measure words (多少份 / 16件)
    unit_wrong_sure: float = 0.05  # the question named a unit outright and this is another one
    unit_wrong_unsure: float = 0.35  # the unit was only inferred (a rate that changed: % or points)
    # a figure whose own clause lacks the word that says what is counted keeps this share of its score
    gate_floor: float = 0.55
    # a line whose form alone answers (an addressee line for 报给谁, a signed date for 落款) scores at least this
    sure_floor: float = 0.8
    # --- a question word the sentence has no span of the wanted type for: the clause, scored low
    fallback_clause: float = 0.35
    open_clause: float = 0.6  # open questions (如何 / 哪些措施) are answered by the clause itself
    # a slot naming another number of items than the question asks for (哪两个机关 -> one body)
    items_mismatch: float = 0.9
    items_short: float = 0.85  # … naming fewer (哪两个市 -> one city; mild: 亚运会亚残运会 names two without a 和)
    # other figures of a sentence that labels one figure with what the question really counts
    # (多少个部门适用的裁量权基准 -> 裁量权基准45个, not 20个部门) keep this share of their score
    head_label: float = 0.85
    # a name, honour or title that carries the words a question describes it by (…方面的称号) gains this bonus
    topic_named: float = 0.2
    # the starting value of a change (从20天压缩至6天) keeps this share of its score unless 从多少 is asked
    from_figure: float = 0.75
    # --- how many distinct candidates (best by the hand-set score) the fitted scorer re-ranks
    scored_candidates: int = 20
    # --- a figure whose own clause covers less than this share of the question's words is not an answer
    min_figure_recall: float = 0.0
    # --- how sure the unit a question asks for is (qa/lexicon/q_unit_hints.tsv names these)
    unit_said: float = 1.0  # said outright after 多少/几 (多少件), or a rate word (纠错率: %)
    unit_hint_area: float = 0.6  # 面积 / 占地: 平方米, though 亩 or 平方公里 may be written
    unit_hint_points: float = 0.5  # a rate that rose or fell: points, though a percentage may be written
    unit_hint_money: float = 0.6  # 多少钱 / 金额: 元 (万元, 亿元 are of its family)
    unit_hint_change: float = 0.5  # a figure that rose or fell: a percentage, though a count may be written
    # --- the question's words (qa/answer/terms.py): their weights and how a text's words satisfy them
    idf_half: float = 0.5  # the 0.5 of BM25's idf, log(1 + (N - df + 0.5) / (df + 0.5)), as bm25s counts it
    single_char_weight: float = 0.5  # a one-character word of the question weighs this share of its idf
    near_wh_boost: float = 0.5  # a word right next to the question word weighs up to this much more (…标准是多少)
    near_wh_reach: float = 4.0  # … halved this many characters away from it
    distinct_idf: float = 0.5  # a word whose idf is at least this share of the highest is distinctive, else generic
    specific_idf: float = 0.2  # the key noun must be at least this specific (share of the highest idf)
    key_part_credit: float = 0.6  # a key word only found as its rarest sub-word (行政复议 -> 复议) counts this much
    sub_word_credit: float = 0.8  # a word found only through its sub-words counts at most this much toward cover
    heading_credit: float = 0.7  # a word found only in the section headings above a sentence counts this much
    empty_precision: float = 0.7  # the precision of a text with no content words (neither good nor bad)
    # --- documents (qa/answer/document.py): a document number, a 《title》, a document named without 《》
    doc_number_own_line: float = 0.9  # a number on a line of its own above the title: the report's own 文号
    doc_number_base: float = 0.4  # any other document number in a sentence starts from this …
    doc_number_near: float = 0.3  # … plus this much when the question's words are near it …
    doc_number_reach: float = 30.0  # … (near counts this many characters away, not the default 8: numbers trail) …
    doc_number_cover: float = 0.3  # … plus this much for its clause's share of the question's words
    title_base: float = 0.45  # a 《title》 starts from this …
    title_near: float = 0.25  # … plus this much when the question's words are near it …
    title_describes: float = 0.3  # … plus this much for the share of the question's words the title itself holds
    kind_match: float = 1.1  # a title of the kind asked (哪份工作要点 -> 《…工作要点》) is preferred …
    kind_other: float = 0.9  # … over a title of another kind (《…实施方案》)
    level_match: float = 1.1  # a title issued by a place of the level asked (哪个市的规定 -> 《某市…规定》) …
    level_other: float = 0.9  # … over one issued by a place of another level
    bare_title_base: float = 0.2  # a document named without 《》 (学习了行政复议法) starts low: it may be no document …
    bare_title_near: float = 0.3  # … plus this much when the question's words are near it …
    bare_title_novelty: float = 0.2  # … plus this much for the share of it the question does not already say


PARAMS = Params()
