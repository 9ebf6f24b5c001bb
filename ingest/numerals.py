"""Chinese numerals as used in article and chapter labels (第一百零二条 -> 102)."""
from __future__ import annotations

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
           "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
NUMERAL_CHARS = "零〇一二两三四五六七八九十百千0123456789０１２３４５６７８９"


def parse_numeral(text: str) -> int:
    """Parse a Chinese or Arabic numeral up to 9999; raise ValueError on anything else."""
    text = text.strip().translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if not text:
        raise ValueError("empty numeral")
    if text.isascii() and text.isdigit():
        if int(text) > 9999:
            raise ValueError(f"numeral out of range: {text}")
        return int(text)
    total, digit, last_unit = 0, None, 10_000
    for char in text:
        if char in _DIGITS:
            if digit is not None and digit != 0:
                raise ValueError(f"malformed numeral: {text}")
            digit = _DIGITS[char]
        elif char in _UNITS:
            unit = _UNITS[char]
            if unit >= last_unit:
                raise ValueError(f"malformed numeral: {text}")
            total += (1 if digit is None else digit) * unit if digit != 0 else 0
            if digit == 0:
                raise ValueError(f"malformed numeral: {text}")
            digit, last_unit = None, unit
        else:
            raise ValueError(f"not a numeral: {text}")
    if digit:
        total += digit
    if total == 0 and text not in ("零", "〇"):
        raise ValueError(f"malformed numeral: {text}")
    return total


def to_numeral(number: int) -> str:
    """Write 1..9999 as used in labels: 10 -> 十, 102 -> 一百零二, 110 -> 一百一十."""
    if not 0 < number < 10_000:
        raise ValueError(f"out of range: {number}")
    digits = "零一二三四五六七八九"
    parts: list[str] = []
    zero_pending = False
    for unit_value, unit_name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = number // unit_value % 10
        if digit == 0:
            if parts:
                zero_pending = True
            continue
        if zero_pending:
            parts.append("零")
            zero_pending = False
        parts.append(digits[digit] + unit_name)
    text = "".join(parts)
    return text[1:] if text.startswith("一十") else text


def article_label(article_no: int, sub_no: int = 0) -> str:
    suffix = f"之{to_numeral(sub_no)}" if sub_no else ""
    return f"第{to_numeral(article_no)}条{suffix}"
