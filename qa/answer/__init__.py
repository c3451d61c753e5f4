"""Extractive answers by answer type: classify what a question asks (``types``), find spans of that type in
the best sentences (one module per type, ``registry`` maps type -> extractor), rank them (``extractor``)."""
