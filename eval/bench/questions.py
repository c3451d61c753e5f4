"""The bench's questions: ~40 about the seed reports, 10 that name no place, templates for made-up regions."""
from __future__ import annotations

import random

from eval.bench.corpus import Corpus

# ~40 questions about the five seed reports (written here on purpose, not read from eval/questions.jsonl)
SEED_QUESTIONS = [
    # 郴州市 2024
    "郴州2024年行政复议的纠错率是多少",
    "郴州市办理法律援助案件多少件",
    "郴州市委常委会全年学习研究党内法规多少次",
    "郴州向市委巡察办移交问题线索多少条",
    "郴州信访事项一次性化解率是多少",
    "郴州退税减税降费达到多少",
    "郴州有多少名行政执法人员参加全省行政执法资格考试",
    "郴州选聘了多少名行政执法监督员",
    "郴州市长是谁",
    "郴州如何推进法治督察与纪检监察协作配合",
    # 海安市 2023
    "海安市办理市人大代表建议多少件",
    "海安修订完善的行政许可事项清单有多少项",
    "海安2023年行政复议机关收到多少件复议申请",
    "海安适用包容审慎柔性执法四张清单办理了多少件行政处罚案件",
    "海安不予行政处罚的案件有多少件",
    "海安建成了多少支市级专业应急救援队伍",
    "海安的市级应急救灾物资储备库面积多大",
    "海安科级领导干部任前法律法规考试通过率是多少",
    "海安打造的法庭品牌叫什么",
    # 开封市示范区 2024
    "开封示范区2024年共受理行政复议申请多少件",
    "开封市示范区审查了多少件规范性文件",
    "示范区法律顾问提出法律意见和建议多少次",
    "开封示范区排查化解矛盾纠纷多少件",
    "开封示范区办理法律援助案件多少件",
    "开封示范区诉调联动中心成功调解法院移交案件多少件",
    "开封黑岗口黄河法治文化基地获得了什么荣誉",
    # 岳阳县 2021
    "岳阳县2021年受理行政复议案件多少件",
    "岳阳县梳理发布权责清单多少项",
    "岳阳县人民调解成功率是多少",
    "岳阳县有多少人取得了行政执法证件",
    "岳阳县立案查处环境违法行为多少起",
    "岳阳县建成了多少个公共法律服务工作站",
    "岳阳县2022年的工作计划有哪些",
    # 邵阳市 2024
    "邵阳市受理行政复议案件多少件",
    "邵阳市县两级政府行政诉讼败诉率是多少",
    "邵阳全系统办理法律援助案件多少件",
    "邵阳市有多少个人民调解委员会",
    "邵阳人民调解调处成功率是多少",
    "邵阳市12348热线接听率是多少",
    "邵阳执法人员素质方面存在什么问题",
]

# questions that name no place: retrieval runs over the whole corpus (FAISS + BM25 over every passage)
UNSCOPED_QUESTIONS = [
    "行政机关负责人出庭应诉率是多少",
    "如何推进乡镇综合行政执法改革",
    "法律明白人培育工程培养了多少人",
    "规范性文件备案审查工作怎么开展",
    "矛盾纠纷多元化解机制有哪些做法",
    "行政复议纠错率是多少",
    "包容审慎监管是怎么落实的",
    "公共法律服务平台接受法律咨询多少人次",
    "重大行政决策程序如何落实",
    "法治督察发现了哪些问题",
]

# questions about the made-up regions of the scale corpus ({r}: region name, {s}: its short name, {y}: year)
SYNTH_TEMPLATES = [
    "{r}{y}年受理行政复议案件多少件",
    "{s}办理法律援助案件多少件",
    "{s}{y}年人民调解成功率是多少",
    "{r}如何优化法治化营商环境",
    "{s}行政机关负责人出庭应诉率是多少",
    "{r}{y}年审查了多少件规范性文件",
    "{s}法治政府建设存在哪些不足",
    "{s}{y}年开展普法宣传活动多少场",
    "{r}有多少名行政执法人员",
    "{s}下一年度法治政府建设有什么安排",
]


def scale_questions(corpus: Corpus, rng_seed: int = 11) -> list[str]:
    """Seed and unscoped questions, and two per template about made-up regions of the scale corpus."""
    rng = random.Random(rng_seed)
    syn = [d for d in corpus.docs if d.source == "synthetic"]
    out = list(SEED_QUESTIONS) + list(UNSCOPED_QUESTIONS)
    picks = rng.sample(syn, min(len(syn), 2 * len(SYNTH_TEMPLATES)))
    for i, d in enumerate(picks):
        t = SYNTH_TEMPLATES[i % len(SYNTH_TEMPLATES)]
        r = d.meta.region or ""
        out.append(t.format(r=r, s=r[:-1], y=d.meta.year))
    return out
