"""Reports as people have them: a made-up report written out as a saved web page, a PDF, a Word .docx and text
files in GBK, Big5, UTF-16 (with an odd byte count) and UTF-32 — real files, built here — give the same cleaned
text, the same answers and the same citations as the plain-text report; broken files are refused by name.

桐溪县 and every figure below are made up: nothing in the pipeline knows them.
"""
from __future__ import annotations

import io
import re
import shutil
import sys
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import formats_files as ff  # noqa: E402

from index.formats import ExtractOptions, ReportError, extract  # noqa: E402
from index.ingest import document_from_bytes, document_from_text, load_folder  # noqa: E402

REPORT = ff.TONGXI_REPORT
PLAIN = ff.to_plain(REPORT)
QUESTIONS = ("桐溪县行政复议纠错率是多少", "桐溪县办理法律援助案件多少件", "桐溪县行政机关负责人出庭应诉率是多少",
             "桐溪县评查行政执法案卷多少卷", "桐溪县县长是谁", "桐溪县调解成功率是多少")
EXPECTED = {"桐溪县行政复议纠错率是多少": "12.6%", "桐溪县办理法律援助案件多少件": "1286件",
            "桐溪县行政机关负责人出庭应诉率是多少": "97.7%"}

FILES = {  # name -> builder of the file's bytes
    "tongxi.html": lambda: ff.to_html(REPORT, published="2025-02-20"),
    "tongxi.pdf": lambda: ff.to_pdf(REPORT, lines_per_page=14),
    "tongxi.docx": lambda: ff.to_docx(REPORT),
    "tongxi.gbk.txt": lambda: PLAIN.encode("gbk"),
    "tongxi.utf16.txt": lambda: PLAIN.encode("utf-16") + b"\n",  # a BOM, and one stray byte: odd byte count
    "tongxi.utf16be.txt": lambda: PLAIN.encode("utf-16-be"),  # no BOM
    "tongxi.utf32.txt": lambda: PLAIN.encode("utf-32"),
    "tongxi.md": lambda: PLAIN.encode("utf-8-sig"),
    "tongxi.doc": lambda: ff.to_doc(REPORT),
    "tongxi_headings.md": lambda: _markdown(PLAIN).encode(),
    "tongxi_fragment.htm": lambda: _fragment(PLAIN).encode("gb18030"),  # no <html>: a saved fragment, in GBK
}


def _markdown(text: str) -> str:
    """The report as Markdown: # title, ## and ### headings, bold lead words."""
    out = []
    for i, line in enumerate(ff.paragraphs(text)):
        if i == 0:
            out.append(f"# {line}")
        elif line[0] in "一二三" and "、" in line[:3]:
            out.append(f"## {line}")
        elif line.startswith("（") and "。" in line:
            head, rest = line.split("。", 1)
            out.append(f"**{head}。**{rest}")
        else:
            out.append(line)
    return "\n\n".join(out) + "\n"


def _fragment(text: str) -> str:
    lines = ff.paragraphs(text)
    return f"<h1>{lines[0]}</h1>\n" + "\n".join(f"<p>{line}</p>" for line in lines[1:])
NEEDS_ANTIWORD = pytest.mark.skipif(shutil.which("antiword") is None, reason="antiword not installed: make doctools")


def _params(names) -> list:
    return [pytest.param(n, marks=NEEDS_ANTIWORD) if n.endswith(".doc") else n for n in names]


def _doc_id(name: str) -> str:
    return "tongxi"


@pytest.fixture(scope="module")
def text_doc():
    return document_from_text(PLAIN, "tongxi", "tongxi.txt")


@pytest.fixture(scope="module")
def text_qa(tmp_path_factory, text_doc, encoder):
    from index.store import build_index
    from qa.engine import QA

    index_dir = tmp_path_factory.mktemp("tongxi_text")
    build_index([text_doc], encoder, index_dir)
    return QA.load(index_dir, encoder)


def _answers(qa) -> dict[str, tuple]:
    out = {}
    for q in QUESTIONS:
        r = qa.ask(q)
        out[q] = (r.answer, [(a.text, a.sentence, a.citation.doc_id, a.citation.start, a.citation.end,
                              a.citation.sentence_start, a.citation.sentence_end, a.citation.section)
                             for a in r.answers])
    return out


def test_plain_text_answers(text_qa):
    got = _answers(text_qa)
    for q, a in EXPECTED.items():
        assert got[q][0] == a, (q, got[q])


@pytest.mark.parametrize("name", _params(sorted(FILES)))
def test_same_text_and_metadata_as_plain(name, text_doc):
    doc = document_from_bytes(FILES[name](), name, doc_id="tongxi")
    assert doc.clean_text == text_doc.clean_text
    assert doc.meta.region == text_doc.meta.region == "桐溪县"
    assert doc.meta.year == text_doc.meta.year == 2024
    assert doc.meta.title == text_doc.meta.title
    assert doc.original is not None and doc.original.name == name and doc.original.size == len(FILES[name]())


@pytest.mark.parametrize("name", _params(["tongxi.html", "tongxi.pdf", "tongxi.docx", "tongxi.doc"]))
def test_same_answers_and_citations_as_plain(name, text_qa, tmp_path, encoder):
    from index.store import build_index
    from qa.engine import QA

    doc = document_from_bytes(FILES[name](), name, doc_id="tongxi")
    build_index([doc], encoder, tmp_path, previous=text_qa.index)  # same text: the vectors are reused
    qa = QA.load(tmp_path, encoder)
    assert _answers(qa) == _answers(text_qa)


def _page_texts(data: bytes) -> list[str]:
    """Each page's text as PDFium reads it (line breaks and spaces removed)."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    return [re.sub(r"\s+", "", page.get_textpage().get_text_range()) for page in pdf]


def test_pdf_pages_are_kept_and_cited():
    data = FILES["tongxi.pdf"]()
    ex = extract(data, "tongxi.pdf")
    pages = _page_texts(data)
    assert ex.format == "pdf" and len(ex.page_starts) == len(pages) >= 3 and ex.page_starts[0] == 0
    doc = document_from_bytes(data, "tongxi.pdf")
    assert len(doc.page_starts) == len(pages)
    for n, start in enumerate(doc.page_starts[1:], start=1):  # each page starts where its first characters are
        assert pages[n].startswith(re.sub(r"\s+", "", doc.clean_text[start:start + 10])), n
    at = doc.clean_text.index("纠错率为12.6%")
    assert "纠错率为12.6%" in pages[doc.page_at(at) - 1]
    assert doc.page_at(0) == 1 and doc.page_at(len(doc.clean_text) - 1) == len(pages)


CJK_TTF = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")  # Debian fonts-wqy-microhei (make doctools)


@pytest.mark.skipif(not CJK_TTF.is_file(), reason=f"no {CJK_TTF}: make doctools installs it")
@pytest.mark.parametrize("spacing", [0.0, 1.5], ids=["runs", "glyph-by-glyph"])
def test_pdf_with_embedded_font_glyph_by_glyph(spacing, text_doc):
    """A PDF with an embedded TrueType subset, its glyphs drawn one by one with gaps (letter-spaced Chinese):
    the gaps do not become spaces inside words or figures (1286件, 12.6%)."""
    doc = document_from_bytes(ff.to_pdf(REPORT, lines_per_page=14, ttf=str(CJK_TTF), spacing=spacing),
                              "tongxi.pdf", doc_id="tongxi")
    assert doc.clean_text == text_doc.clean_text


def test_html_main_content_only_and_meta():
    ex = extract(FILES["tongxi.html"](), "tongxi.html")
    assert ex.format == "html" and ex.title == "桐溪县2024年法治政府建设情况报告" and ex.published == "2025-02-20"
    for boilerplate in ("首页", "索引号", "分享到", "微博", "版权所有", "ICP备", "相关文章", "打印本页", "扫一扫"):
        assert boilerplate not in ex.text, boilerplate
    assert "收到行政复议申请 526件" in ex.text  # table rows kept, one line each


def test_html_publication_date_from_meta_when_text_has_none():
    body = REPORT.replace("桐溪县人民政府\n2025年2月12日\n", "")
    doc = document_from_bytes(ff.to_html(body, published="2025-02-20"), "tongxi.html")
    assert doc.meta.published == "2025-02-20"
    assert document_from_text(ff.to_plain(body), "t", "t.txt").meta.published is None


def test_docx_headings_and_table_rows():
    ex = extract(FILES["tongxi.docx"](), "tongxi.docx")
    lines = ex.text.splitlines()
    assert lines[0] == "桐溪县2024年法治政府建设情况报告" and "一、2024年法治政府建设主要举措和成效" in lines
    assert "指标 2024年" in lines and "行政复议纠错率 12.6%" in lines


def test_big5_kept_traditional_unless_asked():
    import opencc

    from index.formats.text import to_simplified

    trad = opencc.OpenCC("s2tw").convert(PLAIN)  # the report in traditional characters, as Taiwan writes them
    assert "桐溪縣" in trad
    data = trad.encode("big5")
    kept = extract(data, "tongxi.big5.txt")
    assert kept.encoding == "big5" and kept.text == trad  # never garbled
    simp = document_from_bytes(data, "tongxi.big5.txt", options=ExtractOptions(to_simplified=True))
    assert simp.clean_text == document_from_text(to_simplified(trad), "x", "x.txt").clean_text
    assert simp.meta.region == "桐溪县" and simp.meta.year == 2024


def test_wrong_extension_detected_by_content(text_doc):
    """A PDF or a .docx saved under another report suffix is read by what it is."""
    for data, name in ((FILES["tongxi.pdf"](), "tongxi.txt"), (FILES["tongxi.docx"](), "tongxi.pdf")):
        doc = document_from_bytes(data, name, doc_id="tongxi")
        assert doc.clean_text == text_doc.clean_text, name


def _truncated_pdf() -> bytes:
    data = FILES["tongxi.pdf"]()
    return data[:len(data) // 2]


def _zip_as_docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("report.txt", PLAIN)
    return buf.getvalue()


BAD = {  # name -> (bytes, words the refusal must say)
    "truncated.pdf": (_truncated_pdf, ("truncated",)),
    "archive.docx": (_zip_as_docx, ("ZIP archive", "not a Word")),
    "cut.docx": (lambda: FILES["tongxi.docx"]()[:3000], ("corrupt or truncated",)),
    "scan.pdf": (ff.image_only_pdf, ("no text layer",)),
    "empty.pdf": (lambda: b"", ("empty",)),
    "empty.txt": (lambda: b"", ("empty",)),
    "report.pdf": (lambda: PLAIN.encode(), ("wrong extension",)),
    "page.docx": (lambda: FILES["tongxi.html"](), ("wrong extension",)),
    "photo.pdf": (ff._tiny_png, ("PNG image", "unsupported type")),
    "report.xlsx": (lambda: PLAIN.encode(), ("unsupported type .xlsx",)),
    "report.html": (lambda: b"<html><body><div class='nav'><a href='/'>Home</a></div></body></html>",
                    ("no main text", "without any main text", "no Chinese")),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_files_refused_by_name_and_reason(name):
    make, words = BAD[name]
    with pytest.raises(ReportError) as ei:
        document_from_bytes(make(), name)
    msg = str(ei.value)
    assert msg.startswith(f"{name}: "), msg
    assert any(w in msg for w in words), msg


@NEEDS_ANTIWORD
def test_damaged_doc_refused_with_antiwords_reason():
    data = ff.to_doc(REPORT)
    broken = data[:512] + b"\x00" * (len(data) - 512)  # the compound file's header and nothing else
    with pytest.raises(ReportError, match=r"^broken\.doc: corrupt or unsupported legacy Word \.doc \(antiword: "):
        extract(broken, "broken.doc")


def test_doc_refused_clearly_without_antiword(monkeypatch):
    """A legacy .doc when antiword is not installed: refused with what to do (the tool's absence is real here:
    PATH holds no antiword)."""
    monkeypatch.setenv("PATH", "/nonexistent")
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    with pytest.raises(ReportError, match=r"^old\.doc: .*antiword.*not installed"):
        extract(ole, "old.doc")


def test_mixed_folder(tmp_path, text_doc):
    """A folder of mixed files builds like a folder of text files; every file keeps its own doc id."""
    for name in ("tongxi.html", "tongxi.pdf", "tongxi.docx"):
        (tmp_path / name.replace("tongxi", f"tongxi_{name.split('.')[1]}")).write_bytes(FILES[name]())
    (tmp_path / "tongxi_txt.txt").write_text(PLAIN, encoding="utf-8")
    (tmp_path / "notes.json").write_text("{}", encoding="utf-8")  # not a report suffix: left out
    docs = load_folder(tmp_path)
    assert sorted(d.doc_id for d in docs) == ["tongxi_docx", "tongxi_html", "tongxi_pdf", "tongxi_txt"]
    assert {d.clean_text for d in docs} == {text_doc.clean_text}
    assert {d.original.format for d in docs if d.original} == {"html", "pdf", "docx", "text"}


# ---------------------------------------------------------------------------------------------- command line
def _qa(*args: str, cwd: Path):
    import os
    import subprocess

    script = Path(sys.executable).with_name("qa")
    cmd = [str(script)] if script.is_file() else [sys.executable, "-m", "api.cli"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    env.update(HF_HUB_OFFLINE="1", PYTHONIOENCODING="utf-8", NO_COLOR="1")
    return subprocess.run(cmd + list(args), cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8",
                          timeout=300)


COUNTIES = {"pdf": "桐溪县", "docx": "柳岙县", "html": "杉浦县", "txt": "梧川县"}  # one made-up county per file


@pytest.mark.slow  # `qa index build` and `qa ask` as subprocesses
def test_cli_builds_a_mixed_folder_and_refuses_a_bad_file_in_one_line(tmp_path):
    reports, index = tmp_path / "reports", tmp_path / "index"
    reports.mkdir()
    make = {"pdf": lambda t: ff.to_pdf(t, lines_per_page=14), "docx": ff.to_docx, "html": ff.to_html,
            "txt": lambda t: ff.to_plain(t).encode("gb18030")}
    for ext, county in COUNTIES.items():
        (reports / f"{county}2024.{ext}").write_bytes(make[ext](REPORT.replace("桐溪县", county)))
    built = _qa("index", "build", "--seeds", str(reports), "--index", str(index), cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    assert "indexed 4 reports" in built.stdout
    for county in COUNTIES.values():
        assert f"{county}2024: region={county} year=2024" in built.stdout
    asked = _qa("ask", "柳岙县行政复议纠错率是多少", "--index", str(index), cwd=tmp_path)
    assert asked.returncode == 0 and "答案: 12.6%" in asked.stdout, asked.stdout
    asked = _qa("ask", "桐溪县行政复议纠错率是多少", "--index", str(index), cwd=tmp_path)
    assert "答案: 12.6%" in asked.stdout and ", page " in asked.stdout, asked.stdout  # the PDF's page is cited
    manifest = (index / "current" / "manifest.json").read_text(encoding="utf-8")

    for bad, data in (("scan.pdf", ff.image_only_pdf()), ("cut.pdf", FILES["tongxi.pdf"]()[:5000]),
                      ("archive.docx", _zip_as_docx())):
        (reports / bad).write_bytes(data)
        failed = _qa("index", "build", "--seeds", str(reports), "--index", str(index), cwd=tmp_path)
        assert failed.returncode != 0
        lines = failed.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and bad in lines[0], failed.stderr
        (reports / bad).unlink()
    assert (index / "current" / "manifest.json").read_text(encoding="utf-8") == manifest  # index unchanged
    asked = _qa("ask", "杉浦县行政复议纠错率是多少", "--index", str(index), cwd=tmp_path)
    assert "答案: 12.6%" in asked.stdout, asked.stdout
