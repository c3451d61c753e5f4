"""Answer spans inside one sentence: figures with units, names, titles."""
import pytest

from qa.extract import QuestionTerms, TermWeights, named_spans, person_spans, quantity_spans
from qa.query import focus_terms, unit_hint


@pytest.fixture(scope="module")
def weights(seed_qa):
    return seed_qa.weights


def _best(spans, sent):
    s, e, _ = max(spans, key=lambda x: x[2])
    return sent[s:e]


def _terms(q, weights):
    hint, _ = unit_hint(q)
    return QuestionTerms(focus_terms(q, []), q, weights, {hint} if hint else set())


@pytest.mark.parametrize("question,sentence,expected", [
    ("纠错率是多少", "已审结的案件中，纠错113件，纠错率为18.5%；", "18.5%"),
    ("纠错了多少件", "已审结的案件中，纠错113件，纠错率为18.5%；", "113件"),
    ("审结多少件", "全市受理行政复议案件1362件，审结1193件；", "1193件"),
    ("死亡人数下降了多少", "生产安全事故起数和死亡人数分别下降37%、40%。", "40%"),
    ("经济发达镇的权力事项有多少项", "明确一般镇权力事项140项、经济发达镇269项、街道132项。", "269项"),
    ("有多少家律师事务所参与律企共建", "组织全市74家律师事务所与中小企业开展律企共建、结对服务企业累计1200余家。", "74家"),
    ("培育法律明白人多少名", "培育“法律明白人”6400余名，发放宣传资料8.6万份。", "6400余名"),
    ("挽回经济损失多少钱", "办理法律援助案件1733件，为群众挽回经济损失2360万元；", "2360万元"),
])
def test_quantity_span(weights, question, sentence, expected):
    hint, strength = unit_hint(question)
    spans = quantity_spans(sentence, _terms(question, weights), hint, question, strength)
    assert _best(spans, sentence) == expected


def test_years_and_document_numbers_are_not_figures(weights):
    q = "有多少件"
    sent = "根据《规定》(厅字〔2019〕28号)要求，2024年共办理案件12件。"
    texts = [sent[s:e] for s, e, _ in quantity_spans(sent, _terms(q, weights), "件", q)]
    assert texts == ["12件"]


def test_person_span_prefers_the_title_asked(weights):
    q = "市委书记是谁"
    sent = "市委书记周文澜主持召开会议，市委副书记、市长林若溪出席。"
    assert _best(person_spans(sent, _terms(q, weights), q), sent) == "周文澜"
    q = "市长叫什么名字"
    assert _best(person_spans(sent, _terms(q, weights), q), sent) == "林若溪"


def test_named_span_prefers_a_title_matching_the_question(weights):
    q = "出台了什么执法案卷评查的办法"
    sent = "制定出台《云溪市行政执法案卷评查办法》，印发《云溪市普法责任清单》。"
    assert _best(named_spans(sent, _terms(q, weights), q, None, weights), sent) == "《云溪市行政执法案卷评查办法》"


def test_place_that_owns_a_quoted_name(weights):
    q = "“老街坊”调解品牌是哪里的"
    sent = "涌现青溪“老街坊”调解品牌、石门县“近邻”解纷工作法等一批解纷品牌。"
    assert _best(named_spans(sent, _terms(q, weights), q, None, weights), sent) == "青溪"


def test_noun_phrase_does_not_swallow_a_verb_mid_sentence(weights):
    q = "智能球机参展了哪个博览会"
    sent = "创新研发智能联动球机,参展第十一届中国国际警用装备博览会,入选试点单位。"
    assert _best(named_spans(sent, _terms(q, weights), q, None, weights), sent) == "第十一届中国国际警用装备博览会"
