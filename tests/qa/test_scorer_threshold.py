"""The service abstains at the threshold the fitted scorer chose on its cross-validated curve."""
import json
from pathlib import Path

from api.settings import QASettings
from qa.config import QAConfig

SCORER = Path(__file__).resolve().parents[2] / "qa" / "data" / "scorer.json"


def test_the_default_threshold_is_the_one_the_fit_chose():
    fitted = json.loads(SCORER.read_text(encoding="utf-8"))
    assert QAConfig.min_answer_score == fitted["threshold"]
    assert QASettings().min_answer_score == fitted["threshold"]
    assert fitted["figures"]["cross_validated"]["threshold"] == fitted["threshold"]
