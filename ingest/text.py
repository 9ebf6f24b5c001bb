"""The one owner of text normalization shared by documents and questions: width (NFKC), script
(traditional -> simplified, pinyin readings removed), case and spacing, lone surrogates, and a question's
length. The per-line cleaning rules of regulation files are in ingest.clean."""
from __future__ import annotations

import re
import unicodedata

from ingest.clean import remove_pinyin, to_mainland, to_simplified

MAX_QUESTION_CHARS = 500  # longer questions are truncated (the answer says so)
MAX_RAW_QUESTION_CHARS = 20 * MAX_QUESTION_CHARS  # what normalization reads at most of a (pasted) question
_SPACE = re.compile(r"\s+")
_SURROGATE = re.compile("[\ud800-\udfff]")  # lone surrogates (from JSON escapes or undecodable argv bytes)


def without_surrogates(text: str) -> str:
    """The text with each lone surrogate (which UTF-8 cannot carry) replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def normalize_text(text: str) -> str:
    """Full-width -> half-width (NFKC), traditional -> simplified, lower case, one space."""
    text = unicodedata.normalize("NFKC", without_surrogates(text))
    text = to_simplified(remove_pinyin(text))
    return _SPACE.sub(" ", text).strip().lower()


def clean_question(question: str) -> tuple[str, bool]:
    """Drop control characters, normalize, truncate to MAX_QUESTION_CHARS; return (text, truncated).

    The text is '' when the question holds nothing but spaces and control characters.
    """
    cut = len(question) > MAX_RAW_QUESTION_CHARS
    question = "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in question[:MAX_RAW_QUESTION_CHARS])
    # a question in traditional characters is also asked in mainland words (資訊 -> 信息), as the laws write them
    text = normalize_text(to_mainland(unicodedata.normalize("NFKC", without_surrogates(question))))
    truncated = cut or len(text) > MAX_QUESTION_CHARS
    return text[:MAX_QUESTION_CHARS], truncated
