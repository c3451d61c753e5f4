"""Word reports (.docx, python-docx): paragraphs and headings in document order, one per line; each table row
as one line, its cells separated by a space (so a row reads like a sentence: ``收到复议申请 438件``).
Title from the document's core properties."""
from __future__ import annotations

import io
import re
import zipfile

from index.formats.base import (
    MAX_UNZIPPED_BYTES,
    MAX_ZIP_ENTRIES,
    MAX_ZIP_RATIO,
    ZIP_RATIO_FROM,
    Extracted,
    ExtractOptions,
    ReportLimitError,
    refuse,
)
from index.formats.text import require_chinese, to_simplified


def check_zip_limits(z: zipfile.ZipFile, name: str) -> None:
    """Refuse (ReportLimitError, naming the limit) a ZIP package that unpacks into too much: too many parts,
    more than MAX_UNZIPPED_BYTES together, or a large part compressed more than MAX_ZIP_RATIO to one. The sizes
    come from the ZIP's directory; a part that unpacks into more than its directory says fails its CRC check."""
    infos = z.infolist()
    if len(infos) > MAX_ZIP_ENTRIES:
        raise ReportLimitError(f"{name}: the ZIP package has {len(infos)} parts, more than the {MAX_ZIP_ENTRIES} "
                               "allowed (decompression limit)")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNZIPPED_BYTES:
        raise ReportLimitError(f"{name}: the ZIP package unpacks into {total} bytes, more than the "
                               f"{MAX_UNZIPPED_BYTES} allowed (decompression limit): a zip bomb?")
    for i in infos:
        if i.file_size > ZIP_RATIO_FROM and i.file_size > MAX_ZIP_RATIO * max(i.compress_size, 1):
            ratio = i.file_size / max(i.compress_size, 1)
            raise ReportLimitError(f"{name}: part {i.filename} unpacks {ratio:.0f} times its packed size "
                                   f"({i.file_size} bytes from {i.compress_size}), more than the {MAX_ZIP_RATIO} "
                                   "allowed (decompression ratio limit): a zip bomb?")


def _open(data: bytes, name: str):
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            check_zip_limits(z, name)
            names = set(z.namelist())
            bad = z.testzip()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as e:
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
