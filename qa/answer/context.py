"""What every span extractor receives: the question, what it asks, its weighted terms and the tunables."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from qa.answer.params import PARAMS, Params
from qa.answer.terms import QuestionTerms, TermWeights
from qa.answer.types import Asked


@dataclass(frozen=True)
class SpanContext:
    question: str
    asked: Asked
    terms: QuestionTerms
    weights: TermWeights
    places: re.Pattern[str] | None = None  # one alternation of the indexed regions' names (longest first)
    params: Params = field(default=PARAMS)
