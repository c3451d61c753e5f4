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

    # --- noun phrases around an anchor (spans.py): how far they reach, in characters
    np_after_limit: int = 14  # a noun phrase after a figure (…项|管理措施) is rarely longer
    np_before_limit: int = 16  # a noun phrase before its head (…成立|行政调解工作室) may carry a longer modifier
    np_tag_margin: int = 8  # characters past the limit handed to jieba so the last word is cut where it really ends
    np_quote_reach: int = 12  # an unbalanced “ inside a phrase closes within this many characters, else no phrase
    np_paren_reach: int = 8  # words back from a ) to its (: a longer parenthesis is a remark, not part of a name
    cn_number_max_len: int = 4  # the longest run of Chinese numerals read as one figure (三千五百); longer is prose
    tail_term_min_len: int = 2  # a one-character question word is too common to cut from a span's end
    tail_keep_min_len: int = 2  # cutting a question word off a span must leave a two-character name at least
    # --- dates (date.py): a date's score = these weights over nearness to the question's words, its clause's
    # cover and how much of a date it is
    date_w_near: float = 0.45  # a date sits beside the words of the event it dates
    date_w_clause: float = 0.3  # its clause says what happened
    date_w_form: float = 0.25  # a full day beats a month, a month a bare year
    date_form_month: float = 0.7  # a month or a quarter, no day
    date_form_year: float = 0.4  # a bare year: often the report's year, seldom the answer
    day_name_reach: int = 6  # an observance day's number (12·4) is a date when a day's name follows within these
    signed_reach: int = 24  # 哪天…报送: at most this many characters between the day asked and the verb of sending
    # --- ordinals (ordinal.py): the score = these weights over nearness, the ordinal's own words, clause cover
    # and whether it counts what was asked
    ordinal_w_near: float = 0.2  # near the question's words
    ordinal_w_own: float = 0.4  # the words of its own item (开展|第四批|示范创建活动) say what it numbers: strongest
    ordinal_w_clause: float = 0.1  # its clause's cover of the question
    ordinal_w_unit: float = 0.3  # it counts the unit asked (第几批 -> 第四批)
    ordinal_unit_other: float = 0.3  # unit fit of an ordinal of another unit than asked (第几批 -> 第三次)
    # --- open answers (open.py): which clause of a sentence answers
    open_long_sentence: int = 60  # a sentence longer than this is answered by its best clause, not as a whole
    open_min_after_colon: int = 4  # what follows 是: / 包括: answers only if it is at least this long
    open_min_clause: int = 6  # shorter clauses of a long sentence are fragments, never the answer
    open_min_cover: float = 0.3  # the best clause must carry this share of the question's words to replace the sentence
    cover_tie: float = 1e-9  # a later clause must beat the best so far by more than rounding to replace it
    # --- the small extractors of registry.py
    list_slot_damp: float = 0.85  # a list question answered by a single slot: kept, below a real list
    document_slot_damp: float = 0.6  # a document question answered by a slot, not a 《title》: a weak stand-in
    body_list_damp: float = 0.9  # two bodies side by side (与A、B联合) when one body was asked: slightly below one
    place_level_damp: float = 0.8  # a place that does not end in the level asked (哪个区 -> …街道)
    role_pattern_score: float = 0.95  # 由局长任组长 / 组长由X担任: the sentence says outright who holds the post
    role_holder_min_len: int = 2  # a holder of one character is a cut word, not a post (由局任… is no answer)
    role_holder_max_len: int = 12  # 由…任组长: a holder longer than this runs over a clause, not a post
    issuer_min_len: int = 2  # the issuers before a title's year: one body's name of two characters at least
    issuer_max_len: int = 40  # the issuers before a report title's year: at most this long (two bodies' full names)
    title_gap: int = 40  # a report title's words between its year and 报告
    place_name_min_len: int = 2  # a slot of two characters at least may take the level character after it (某某|市)
    level_noun_max_len: int = 2  # an asked noun of one or two characters is a level (区, 街道); longer is no level
    # --- answer shapes (shapes.py): how typical a span's form is for the type asked (the scorer's shape_fit)
    shape_unit_family: float = 0.75  # a figure in another unit of the family asked (56人 for 多少名)
    shape_unit_unknown: float = 0.5  # no unit to compare, or one not in units.tsv: neither for nor against
    shape_role_name: float = 0.5  # a role answered by a short span with no role word: maybe a person's name
    shape_honour_over_clause: float = 0.3  # an honour that runs over a clause break is rarely a title
    shape_honour_short: float = 0.4  # an honour shorter than a title (优秀): a fragment more often than not
    shape_place_no_level: float = 0.5  # a place whose name does not end in a level (省/市/县…): maybe a short form
    shape_ordinal_no_mark: float = 0.5  # an ordinal answer without 第N / 首批: a rank said otherwise
    shape_list_one_item: float = 0.4  # a list question answered by one item: partial at best
    shape_person_post: float = 0.75  # a person question answered by a post (县委书记): fair, a name is better
    shape_person_long: float = 0.5  # longer than a name and no post
    shape_any_over_clause: float = 0.6  # any other answer that runs over a clause break
    restated_min_len: int = 3  # a span of 3+ characters the question says is a restatement (县长 may be an answer)
    name_min_len: int = 2  # a Chinese personal name has two characters at least …
    name_max_len: int = 4  # … and four at most (compound surnames)
    honour_min_len: int = 4  # a title (文明单位, 先进集体) has four characters at least
    body_min_len: int = 2  # a body's name is more than its organisation word (局 alone is none)
    # --- the extractor (extractor.py): sentences, their headings, the answers returned
    token_cache_size: int = 200_000  # at most this many sentences' word sets are kept in memory (a bound, no tuning)
    lead_max_len: int = 24  # a sentence this short right before another is its lead (一是…/二是…)
    dense_rel_flat: float = 0.5  # relative dense similarity when all sentences are alike: neither best nor worst
    answers_shown: int = 3  # the answers returned for a question, best first
    score_digits: int = 4  # an answer's score is returned rounded to this many decimals
    # --- span signals shared by the extractors (scoring.py, features.py)
    near_reach: float = 8.0  # a question word this many characters from a span halves its nearness
    order_neutral: float = 0.5  # order fit when the question word's place or the question's words are unknown
    order_window: int = 10  # question words are looked for this many characters beyond the span's clause
    specific_neutral: float = 0.5  # specificity of a span with no words: neither specific nor generic
    feature_near_reach: float = 4.0  # the feature `near`: a question word this many characters away halves it
    # --- personal names and posts (person.py): a name's score = these weights over how its title places it, its
    # clause's cover and a base; a post's over nearness, clause cover and novelty
    person_before_reach: int = 8  # the characters before a name that may hold its title (市委书记|某某某)
    person_said_min: int = 2  # the question must say at least this much of the text right before the name …
    person_said_full: float = 3.0  # … and placing it fully takes this many characters of it
    person_title_near: float = 0.3  # a title word before the name that the question does not say: a weak place
    person_w_title: float = 0.5  # the title before a name says whose name it is: strongest
    person_w_clause: float = 0.3  # the name's clause carries the question's words
    person_base: float = 0.2  # every name the tagger finds starts from this
    role_w_near: float = 0.4  # a post beside the question's words
    role_w_clause: float = 0.3  # its clause's cover of the question
    role_w_novelty: float = 0.3  # it says something the question does not

    # --- lists (listing.py): runs of items and their score = these weights over nearness, clause cover, count fit,
    # novelty and items named by the noun asked
    list_item_max_len: int = 30  # an item of a 、-run or a “quoted name” in a run is at most this long
    list_title_min_len: int = 2  # a 《title》 in a run of titles has at least this many characters …
    list_title_max_len: int = 60  # … and at most this many
    list_min_items: int = 2  # a run of marked names is two of them at least
    list_item_min_len: int = 2  # an item (a first or last item cut to size, either side of 和) keeps this many at least
    list_margin: int = 2  # the words opening the first item or closing the last are sought this far past the longest
    list_last_guess: int = 12  # with no middle item to measure, the last item is taken as at most this long
    list_np_limit: int = 20  # … or as long as the noun phrase it starts (at most this long)
    list_word_end_reach: int = 2  # a last item cut inside a word ends with the word if it ends this close
    list_min_len: int = 3  # a list shorter than this (A和B with one-character items) is no list
    pair_items: int = 2  # 哪两个: A和B is read as a list too
    items_max: int = 9  # a question asking for more items than this (哪十个) names no count to check items against
    list_count_other: float = 0.5  # count fit of a list of another number of items than asked
    list_w_near: float = 0.35  # a list beside the question's words
    list_w_clause: float = 0.25  # its clause's cover of the question
    list_w_count: float = 0.2  # it has as many items as asked
    list_w_novelty: float = 0.2  # it says something the question does not
    frequency_reach: int = 12  # characters between 每两月 and its 1次 (每两月|以专题形式|1次)
    frequency_w_near: float = 0.4  # a frequency's nearness to the question's words …
    frequency_w_clause: float = 0.3  # … the share of them its clause holds …
    frequency_base: float = 0.3  # … and a floor: its form answers 多久一次 by itself
    list_w_named: float = 0.15  # every item ends in the noun asked (哪两项议事规则 -> …议事规则、…议事规则)

    # --- figures (quantity.py): a figure's score = its label's fit (below) + figure_w_unit x its unit's fit
    short_counted: int = 4  # 3名|执法人员 keeps a counted noun this short; 971名 (新提拔领导干部) leaves a longer out
    figure_after_reach: int = 20  # the words right after a figure that are its own (…件|行政复议案件)
    figure_precision_reach: int = 8  # … and the shorter reach whose words must all be the question's (precision)
    figure_prev_credit: float = 0.6  # a question word said before the figure's clause counts this share …
    figure_rest_credit: float = 0.25  # … and one said after it this share
    figure_near_reach: float = 6.0  # a question word this many characters from the figure halves its nearness
    figure_w_label: float = 0.45  # the label's fit: recall and precision of the question's words in it …
    figure_recall_share: float = 0.75  # … recall weighing this share of it, precision the rest
    figure_w_near: float = 0.2  # … plus nearness of the question's words …
    figure_key_floor: float = 0.3  # … times this floor plus the rest scaled by the key word (what is counted)
    figure_key_weak: float = 0.5  # a key credit below this in the figure's own words looks further afield …
    figure_head_key: float = 0.9  # … to its clause's head, counting this share (权力事项: A140项、B269项) …
    figure_prev_key: float = 0.5  # … or to the words before its clause, counting this share …
    figure_prev_reach: int = 12  # … of which only the last this many characters
    other_stage_gate: float = 0.3  # 受理…47件 when 审结 is asked: another stage of the same cases, gated low
    figure_w_unit: float = 0.35  # the unit's fit (unit_* above) added to the label's fit
    joined_bonus: float = 0.1  # two figures side by side when two are asked (2市5县) beat either alone
    from_reach: int = 14  # 从|由 at most this many characters before a figure marks it a change's starting value …
    to_reach: int = 8  # … when 至|到|为 follows it within this many characters …
    result_reach: int = 3  # … and the result's number within this many more

    # --- slots (slot.py): names, bodies, honours, roles and places in the gap the question's words leave; a slot's
    # score = (fit x shape + bonus) x damps, its fit these weights over frame, nearness, clause cover, word order,
    # type fit and what it says
    slot_min_len: int = 2  # a slot, and what is left of one once trimmed, has two characters at least
    slot_max_len: int = 40  # … and at most this many (an addressee line too)
    slot_quote_max_len: int = 40  # a “quoted name” is at most this long
    noun_head_len: int = 2  # the asked noun's head: its last two characters (工作室 -> 作室), or its first two next
    slot_frame_reach: int = 2  # a question word at most this far from a slot frames it on that side
    slot_w_frame: float = 0.25  # question words on both sides of it: the slot is the gap they leave
    slot_w_near: float = 0.1  # nearness to the heavy question words
    slot_w_clause: float = 0.15  # its clause's cover of the question
    slot_w_order: float = 0.15  # the question's words on the same sides as of the question word
    slot_w_type: float = 0.2  # it looks like the type asked (a body ends in 局/委/办…)
    slot_w_says: float = 0.15  # it says something new and specific …
    slot_novelty_share: float = 0.5  # … novelty weighing this share of it, specificity the rest
    slot_body_other: float = 0.2  # type fit of a body slot that ends in no organisation word
    slot_role_other: float = 0.3  # … of a role slot that ends in no role word
    slot_place_other: float = 0.1  # … of a place slot that ends in no level and is no known place
    slot_honour_other: float = 0.3  # … of an honour slot that holds no honour word
    slot_type_any: float = 0.7  # … of a slot of any other type: nothing to check
    slot_honour_np_limit: int = 6  # an honour's noun phrase may go on this far past the asked noun (称号 -> …单位)
    slot_opening_reach: int = 3  # a phrase starting this close to a sentence's start, only words before it, starts it
    slot_topic_reach: int = 11  # the words a question describes its answer by are at most this long
    slot_noun_reach: int = 12  # the asked noun at most this far after a gap (past question words) joins it
    slot_grow_reach: int = 6  # a gap grows back to the start of its noun phrase at most this far
    slot_place_back: int = 8  # a place's name a slot starts inside of is looked for this far back …
    slot_place_ahead: int = 2  # … and this far ahead
    slot_noun_bonus: float = 0.12  # a gap grown by the asked noun (召开了什么推进会 -> …建设推进会)
    slot_np_limit: int = 24  # the noun phrase a gap starts with is at most this long
    slot_through_reach: int = 12  # … and may run through a question word this far past the gap (…专业|调解队) …
    slot_through_bonus: float = 0.05  # … for a name, honour or body, with this bonus
    slot_short_named: float = 0.6  # shape of a two-character name, honour, document or list: seldom whole
    slot_short_other: float = 0.9  # … of a two-character body, role or place (县委, 区长): fine
    slot_most: int = 16  # a slot longer than this is diluted (shape = this / its length) …
    slot_full_name_max: int = 40  # … unless a full name (全称) is asked: as long as it is
    slot_cut_word: float = 0.6  # a slot that cuts a word in half is not an answer
    slot_np_left: float = 0.9  # the noun phrase goes on to the left (…法治|文化基地)
    slot_noun_next: float = 0.85  # the noun asked comes next: it belongs to the answer (…建设|推进会)
    slot_inner_verb: float = 0.85  # a body, role or place holding a verb is a clause (全厅形成|法规处)
    slot_subject: float = 1.1  # 哪个基地获评…: the subject asked, the phrase its clause opens with
    slot_word_skip: int = 2  # a slot starting inside a question word starts after it, if that is this close
    slot_head_bonus: float = 0.1  # a noun phrase ending in the asked noun (什么工作室 -> 行政调解工作室)
    slot_honour_bonus: float = 0.2  # a phrase of an honour's shape (…示范县)
    slot_full_name_bonus: float = 0.2  # the whole name when a full name (全称) is asked
    slot_place_bonus: float = 0.05  # a division the sentence names in full, when a place is asked
    slot_quote_named: float = 0.3  # a “quoted name” the asked noun follows (“某某”微信公众号)
    slot_quote_bonus: float = 0.05  # any quoted name, when a name or an honour is asked
    slot_addressee_damp: float = 0.7  # 报给谁 about the report: its addressee line answers, other slots weigh less
    slot_title_damp: float = 0.9  # a 《title》 for a name or honour: a fair stand-in


PARAMS = Params()
