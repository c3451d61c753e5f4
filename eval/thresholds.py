"""The quality gate: the one place its thresholds live (used by `qa eval` and tests/eval/test_gate.py)."""

MIN_HYBRID_RECALL_AT_5 = 0.95
MIN_EXACT_MATCH = 0.85
MIN_CITATION_ACCURACY = 1.0  # every cited span must slice back to its answer
