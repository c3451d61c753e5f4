"""The service abstains at a threshold whose held-out figures the fitted scorer records."""
import json
from pathlib import Path

from api.settings import QASettings
from qa.config import QAConfig

SCORER = Path(__file__).resolve().parents[2] / "qa" / "data" / "scorer.json"


def test_the_default_threshold_is_a_point_of_the_cross_validated_curve():
    fitted = json.loads(SCORER.read_text(encoding="utf-8"))
    assert QASettings().min_answer_score == QAConfig.min_answer_score
    points = {round(c["threshold"], 2): c for c in fitted["figures"]["curve"]}
    at = points[round(QAConfig.min_answer_score, 2)]  # the held-out ACC, wrong and abstained at the service's threshold
    assert 0 < at["acc"] <= 1 and 0 <= at["answered_wrong"] < at["acc"]
