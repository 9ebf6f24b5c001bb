"""Word (.docx) regulation files -> plain text, one line per paragraph, for the same parser as .txt."""
from __future__ import annotations

import io
import zipfile

MAX_UNPACKED_BYTES = 64 * 1024 * 1024  # a .docx that unpacks to more than this is refused (zip bomb)


class NotADocx(ValueError):
    """The bytes are not a readable .docx file; the message (Chinese) says why."""


def docx_text(raw: bytes) -> str:
    """The text of a .docx: each paragraph (and each table row, cells joined by spaces) on its own line.

    A line break inside a paragraph (Shift+Enter) also starts a new line. Raises NotADocx.
    """
    import docx
    from docx.table import Table

    hint = "如为旧版 Word（.doc）或 WPS 文件，请先另存为 .docx。"
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise NotADocx("不是有效的 Word（.docx）文件：文件内容不是 .docx 格式。" + hint) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise NotADocx(f"Word 文件解压后超过 {MAX_UNPACKED_BYTES // (1024 * 1024)} MB，已拒绝。")
    try:
        document = docx.Document(io.BytesIO(raw))
    except (KeyError, ValueError, zipfile.BadZipFile) as err:
        raise NotADocx(f"不是有效的 Word（.docx）文件（{err}）。" + hint) from None
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            lines.extend(" ".join(cell.text.strip() for cell in row.cells) for row in block.rows)
        else:
            lines.extend(block.text.split("\n"))
    return "\n".join(lines) + "\n"
