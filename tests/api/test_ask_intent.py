"""Questions as people type them, over real HTTP through the app on the seed index (郴州 + 开封示范区): greetings get
what the service answers, other-domain questions and gibberish abstain with a reason, Traditional Chinese,
full-width characters, emoji and a place one character off read like the plain question."""
from __future__ import annotations

import pytest


def ask(client, q: str) -> dict:
    r = client.post("/ask", json={"question": q})
    assert r.status_code == 200, r.text
    return r.json()


def chat(client, q: str) -> str:
    r = client.post("/v1/chat/completions", json={"model": "fazhi-qa", "messages": [{"role": "user", "content": q}]})
    assert r.status_code == 200, r.text
    return r.json()["choices"][0]["message"]["content"]


@pytest.mark.parametrize("q", ["你好", "您好！", "hello", "你好，你能做什么？", "谢谢", "你们有哪些报告", "有几份报告？"])
def test_greeting_describes_the_service(client, q):
    body = ask(client, q)
    assert body["answer"] is None and body["answers"] == [] and body["intent"] == "chitchat"
    assert "法治政府建设" in body["reason"] and "可以这样问" in body["reason"]
    assert "郴州" in body["reason"] or "开封" in body["reason"]  # examples built from the indexed reports
    content = chat(client, q)
    assert "可以这样问" in content and not content.startswith("未找到")


@pytest.mark.parametrize("q", ["今天天气怎么样", "比特币现在多少钱", "推荐一部好看的电影", "asdfgh", "？？？ABC",
                               # an indexed place named, but no word of the question is the reports'
                               "郴州天气怎么样", "开封有什么好玩的景点", "郴州2024年GDP是多少"])
def test_other_domain_and_gibberish_abstain_with_a_reason(client, q):
    body = ask(client, q)
    assert body["answer"] is None and body["intent"] == "out_of_scope", body
    assert body["reason"]
    assert chat(client, q).startswith("未找到相关内容")


@pytest.mark.parametrize("q", ["郴州行政復議糾錯率是多少", "郴州行政复议纠错率是多少？😀", "郴州 行政复议 纠错率是多少",
                               "郴州２０２４年行政复议纠错率是多少", "郴洲行政复议纠错率是多少",
                               "郴州 行政复议 纠错率？？", "郴州行政复议纠错率呢", "能告诉我郴州的行政复议纠错率吗？",
                               "帮我查一下郴州行政复议纠错率",
                               # a figure stated to be checked is asked for: the answer shows whether it holds
                               "郴州的行政复议纠错率是不是18.5%", "郴州行政复议纠错率是18.5%吗？"])
def test_variants_answer_like_the_plain_question(client, q):
    plain = ask(client, "郴州行政复议纠错率是多少")
    body = ask(client, q)
    assert plain["answer"] == "18.5%"
    assert body["answer"] == "18.5%", body
    assert body["answers"][0]["citation"] == plain["answers"][0]["citation"]
    assert body["question"] == q  # the message as sent, and the question as read beside it
    assert body["normalized"] and "郴州" in body["normalized"] and "復" not in body["normalized"]


def test_confidence_is_a_probability(client):
    body = ask(client, "郴州行政复议纠错率是多少")
    assert 0.5 < body["answers"][0]["score"] <= 1.0


def test_explain_shows_the_reading_the_candidates_and_why(client):
    body = client.post("/ask", json={"question": "郴州行政复议纠错率是多少", "explain": True}).json()
    e = body["explanation"]
    assert e["answer"] == body["answer"] == "18.5%"
    assert e["asked"]["type"] == "rate" and "郴州市" in e["regions"]
    top = e["candidates"][0]
    assert top["text"] == "18.5%" and top["shape_ok"] and top["probability"] == body["answers"][0]["score"]
    assert set(top["features"]) >= {"hand", "cover", "dense", "unit_fit", "shape_fit"}
    assert "18.5%" in e["why"] and "threshold" in e["why"]
    # a question the reports do not answer: the explanation says why it abstained
    e = client.post("/ask", json={"question": "郴州市2024年行政复议案件平均审理天数是多少天",
                                  "explain": True}).json()["explanation"]
    assert e["answer"] is None and "abstained" in e["why"]
    assert client.post("/ask", json={"question": "郴州行政复议纠错率是多少"}).json()["explanation"] is None


@pytest.mark.parametrize("q", ["郴州", "郴州市的", "郴州2024年", "郴州法治政府建设情况怎么样", "介绍一下郴州", "郴洲"])
def test_a_place_and_nothing_asked_gets_what_to_ask(client, q):
    """A place (and year) with nothing asked about it: no clause of the place's report passed off as an answer, but
    example questions over that place's own report."""
    body = ask(client, q)
    assert body["answer"] is None and body["answers"] == [] and body["intent"] == "chitchat", body
    assert "郴州市" in body["reason"] and "可以这样问" in body["reason"] and "开封" not in body["reason"]
    content = chat(client, q)
    assert "郴州市" in content and "可以这样问" in content


def test_a_place_in_a_year_no_report_covers_says_so(client):
    body = ask(client, "郴州2019年")
    assert body["answer"] is None and body["intent"] == "question" and "2019" in body["reason"], body


def test_a_post_with_no_question_word_asks_its_holder(client):
    """郴州市长 typed alone reads as 郴州市长是谁: the holder's name, never another post of the same person (the
    report says 市委副书记、市长 and the name)."""
    named = ask(client, "郴州市长叫什么名字")["answer"]
    assert named and not named.endswith(("长", "书记"))
    for q in ("郴州市长", "郴州市长是谁", "郴州市长？"):
        assert ask(client, q)["answer"] == named, q


@pytest.mark.parametrize("q, read", [("郴州行政复意纠错率是多少", "复议"), ("郴州行政复议纠措率是多少", "纠错率")])
def test_a_word_mistyped_by_its_sound_is_read_as_the_reports_word(client, q, read):
    body = ask(client, q)
    assert body["answer"] == "18.5%", body
    assert read in body["normalized"] and "已把问题读作" not in (body["reason"] or "")


def test_a_figure_to_check_is_asked_for_and_answered_with_the_reports_figure(client):
    body = ask(client, "郴州的行政复议纠错率是不是20%")
    assert body["answer"] == "18.5%" and body["normalized"] == "郴州的行政复议纠错率是多少?"
    assert ask(client, "郴州行政复议纠错率高吗")["normalized"] is None  # a yes/no question with no figure stays


def test_the_description_names_the_indexed_reports(client):
    reason = ask(client, "你们有哪些报告")["reason"]
    assert "郴州市2024年" in reason and "开封市示范区2024年" in reason  # the reports of the index, place and year
