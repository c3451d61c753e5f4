"""Word reports (.docx, python-docx): paragraphs and headings in document order, one per line; each table row
as one line, its cells separated by a space (so a row reads like a sentence: ``收到复议申请 438件``).
Title from the document's core properties."""
from __future__ import annotations

import io
import re
import zipfile

from index.formats.base import Extracted, ExtractOptions, refuse
from index.formats.text import require_chinese, to_simplified


def _open(data: bytes, name: str):
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
            bad = z.testzip()
    except zipfile.BadZipFile as e:
        raise refuse(name, f"corrupt or truncated .docx (not a readable ZIP package: {e})") from None
    if "word/document.xml" not in names:
        raise refuse(name, "a ZIP archive but not a Word .docx document (no word/document.xml): unsupported type")
    if bad is not None:
        raise refuse(name, f"corrupt or truncated .docx (damaged part {bad})")
    try:
        return docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as e:
        raise refuse(name, f"corrupt .docx ({e.__class__.__name__}: {e})") from None
    except Exception as e:  # noqa: BLE001 - lxml raises its own XML errors for a damaged document.xml
        raise refuse(name, f"corrupt .docx ({e.__class__.__name__}: {e})") from None


def _blocks(document) -> list[str]:
    """Paragraph and table-row lines in body order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    out: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            out.append(block.text.strip())
        elif isinstance(block, Table):
            for row in block.rows:
                cells: list[str] = []
                for cell in row.cells:
                    t = re.sub(r"\s+", " ", cell.text).strip()
                    if t and (not cells or cells[-1] != t):  # merged cells repeat their text
                        cells.append(t)
                out.append(" ".join(cells))
    return [line for line in out if line]


def read_docx(data: bytes, name: str, options: ExtractOptions) -> Extracted:
    document = _open(data, name)
    text = "\n".join(_blocks(document))
    if not text.strip():
        raise refuse(name, "Word document without any text: empty")
    require_chinese(text, name)
    title = (document.core_properties.title or "").strip() or None
    if options.to_simplified:
        text, title = to_simplified(text), title and to_simplified(title)
    return Extracted(text=text, format="docx",
                     media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                     title=title)
