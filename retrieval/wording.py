"""Wording: the answer's lead sentence, the 未找到 text and the key terms the page highlights."""
from __future__ import annotations

from typing import Iterable

from ingest.records import Regulation
from retrieval.excerpts import tokens
from retrieval.records import Citation


def titles(names: Iterable[str]) -> str:
    """《甲》、《乙》: titles (a dict of regulations gives its keys) as the text names them."""
    return "、".join(f"《{title}》" for title in names)


def key_terms(query_text: str, citations: list[Citation], extra: list[str]) -> tuple[str, ...]:
    """The question's words found in the excerpts shown (whole words only), longest first."""
    shown = "\n".join(e for c in citations for e in c.excerpts).lower()
    terms = {t for t in tokens(query_text) if len(t) >= 2 and t in shown} | set(extra)
    # only whole words: 政资 and 财政 are parts of 财政资金
    terms = {t for t in terms if not any(t != other and t in other for other in terms)}
    return tuple(sorted(terms, key=lambda t: (-len(t), t)))


def lead(citations: list[Citation], regulation_titles: list[str], defined: list[str], comparison: tuple[str, ...],
         missing: list[tuple[str, str]]) -> str:
    """共找到 N 部法规的 M 条相关规定…, with the defined terms, the comparison and what is missing."""
    main = [c for c in citations if c.role in ("answer", "definition")]
    extra = len(citations) - len(main)
    text = f"共找到 {len(regulation_titles)} 部法规的 {len(main)} 条相关规定" + (f"，另附 {extra} 条关联条文" if extra else "") + "。"
    definitions = [c for c in citations if c.role == "definition"]
    if definitions and defined:
        where = "、".join(dict.fromkeys(c.citation for c in definitions))
        text = f"“{'”“'.join(defined)}”的定义见{where}。" + text
    if comparison:
        text = f"对比{'、'.join(comparison)}的规定：" + text
    if missing:
        text += titles(title for _, title in missing) + "未见相关规定。"
    return text


def not_found(regulations: dict[str, Regulation]) -> str:
    """The 未找到 lead: what the assistant covers, and where to look instead."""
    if len(regulations) <= 6:
        covered = f"以下 {len(regulations)} 部法规：{titles(regulations)}"
    else:  # too many to list in one sentence: count them by level
        national = sum(r.jurisdiction == "全国" for r in regulations.values())
        covered = (f"所收录的 {len(regulations)} 部法规（国家法律和行政法规 {national} 部、地方性法规和规章 "
                   f"{len(regulations) - national} 部，详见“关于语料”）")
    return (f"未找到与这个问题相关的规定。本助手只涵盖{covered}；"
            "这些法规以外的问题，请查阅其他法律法规或咨询有关部门。")


def partial(uncovered: tuple[str, ...], unstated_quantity: bool, regulation_titles: list[str],
            absent: tuple[str, ...] = (), places: tuple[str, ...] = (), changed: tuple[str, ...] = ()) -> str:
    """The lead of a partial answer: what the corpus does not cover, then where the nearest provisions are."""
    gaps = []
    if changed:
        gaps.append(later_change(changed))
    if places:
        gaps.append(absent_place(places))
    if absent:
        gaps.append(absent_law(absent))
    if uncovered:
        gaps.append(f"本助手收录的法规中没有出现“{'”“'.join(uncovered)}”，未规定问题所问的事项")
    if unstated_quantity:
        gaps.append(("最相关的条文也" if gaps else "本助手收录的法规") + "没有规定问题所问的具体数额、期限或标准")
    where = titles(regulation_titles)
    return "；".join(gaps) + f"。以下是{where}中与问题部分相关的规定，只涉及问题的一部分，仅供参考。"


def no_local_rules(places: tuple[str, ...]) -> str:
    """Places a question asks about whose local regulations the searched corpus does not hold (no full stop)."""
    return f"本助手收录的法规中没有{'、'.join(places)}的地方性法规"


def absent_place(places: tuple[str, ...]) -> str:
    """The gate's reason: the best article is another place's local rule, which does not hold there."""
    named = "、".join(places)
    return f"问题问的是{named}的规定，{no_local_rules(places)}，其他地方的规定在{named}并不适用"


def national_only_note(places: tuple[str, ...]) -> str:
    return f"{no_local_rules(places)}，以下只引用在全国适用的法律、行政法规。"


def absent_law(absent: tuple[str, ...]) -> str:
    """Laws a question names that the searched corpus does not hold."""
    return f"本助手所检索的法规不包括问题提到的{titles(absent)}，无法按该法回答"


def later_change(changed: tuple[str, ...]) -> str:
    """Laws whose later change a question asks about, which the corpus holds only as they stood before it (no full
    stop; each citation of them gives the change's date, Regulation.currency_note)."""
    return (f"问题问的是{titles(changed)}修改后的规定，本助手收录的是该法修改前的文本，不包含这次修改，"
            "无法按修改后的条文回答")


def held_before_change(title: str, currency_note: str) -> str:
    """The held text of a law known to be outdated, with the change it lacks (its Regulation.currency_note, which
    speaks of 本文)."""
    return f"本助手收录的《{title}》" + (currency_note[len("本文"):] if currency_note.startswith("本文") else
                                   f"：{currency_note}")


def truncated_note(limit: int) -> str:
    return f"问题超过 {limit} 字，只按前 {limit} 字检索。"


def filtered_note(in_scope: dict[str, Regulation]) -> str:
    return f"已按筛选条件只在{titles(in_scope) or '（无）'}中查找。"


def place_fallback_note(places: tuple[str, ...]) -> str:
    return f"{'、'.join(places)}的法规中未见相关规定，以下是其他地区法规中的相关规定，仅供参考。"


NEARBY_NOTE = "下列条文可能相关，仅供参考。"
PLACES_NOTE = "问题没有指明地区，以下分别列出各地法规的相应规定，请以所在地的规定为准。"
