"""Real-world regulation files an administrator adds: community Markdown, GBK text pasted from a PDF, Word.

The samples in tests/data/user_regulations are short abridged texts written for these tests.
"""
from pathlib import Path

import pytest

from ingest.parse import parse_regulation
from ingest.word import docx_text

SAMPLES = Path(__file__).resolve().parent / "data" / "user_regulations"


def test_community_markdown_collection_layout():
    raw = (SAMPLES / "shandong_public_data.md").read_bytes()
    regulation, articles, problems = parse_regulation(raw, "shandong_public_data.md")
    assert (regulation.title, regulation.jurisdiction, regulation.effective_date) == \
        ("山东省公共数据开放办法", "山东省", "2022-04-01")
    assert regulation.chapters == ("第一章\u3000总则", "第二章\u3000开放平台", "第三章\u3000开放利用", "第四章\u3000附则")
    assert [a.label for a in articles] == [f"第{n}条" for n in "一二三四五六七八"]
    assert [p.text[:12] for p in articles[2].paragraphs] == ["本办法所称公共数据，是指", "本办法所称公共数据开放，"]
    assert articles[6].paragraphs[0].items == ("（一）按照开放平台的要求使用公共数据；", "（二）不得以非法方式获取公共数据；",
                                              "（三）不得利用公共数据侵害国家利益、社会公共利益和他人合法权益。")
    assert problems == []


def test_gbk_text_pasted_from_a_pdf():
    raw = (SAMPLES / "guangdong_digital_economy.txt").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    regulation, articles, problems = parse_regulation(raw, "guangdong_digital_economy.txt")
    assert regulation.title == "广东省数字经济促进条例"  # the title line broken in two is joined
    assert (regulation.jurisdiction, regulation.adopted_date, regulation.effective_date) == \
        ("广东省", "2021-07-30", "2021-09-01")
    assert regulation.chapters == ("第一章\u3000总则", "第二章\u3000数字基础设施", "第三章\u3000附则")  # not the 目录 too
    assert len(articles) == 6 and problems == []
    assert articles[0].text == ("为了促进数字经济发展，推进数字产业化和产业数字化，推动数字技术与实体经济深度融合，"
                                "根据有关法律、行政法规，结合本省实际，制定本条例。")
    # a line starting with a reference (第五条规定的) stays in the article; page numbers are gone
    assert articles[4].text.endswith("违反本条例第四条、第五条规定的，由有关部门责令改正。")
    assert not any("—" in a.text for a in articles)


def test_word_document(zhejiang_docx):
    regulation, articles, problems = parse_regulation(zhejiang_docx.read_bytes(), zhejiang_docx.name)
    assert (regulation.title, regulation.jurisdiction, regulation.adopted_date, regulation.effective_date) == \
        ("浙江省公共数据条例", "浙江省", "2022-01-21", "2022-03-01")
    assert regulation.chapters == ("第一章\u3000总则", "第二章\u3000公共数据平台", "第三章\u3000附则")
    assert [a.key for a in articles] == [f"浙江省公共数据条例#{n}" for n in range(1, 6)]
    # a line break inside a Word paragraph separates two paragraphs (款) of the article
    assert [p.text for p in articles[2].paragraphs] == ["省公共数据主管部门负责建设全省统一的公共数据平台。",
                                                        "设区的市公共数据主管部门负责本市公共数据平台的建设和管理。"]
    assert problems == []


def test_word_tables_become_lines(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("附表")
    table = document.add_table(rows=2, cols=2)
    for row, cells in zip(table.rows, [("事项", "期限"), ("公开", "二十日")]):
        for cell, text in zip(row.cells, cells):
            cell.text = text
    document.save(tmp_path / "t.docx")
    assert docx_text((tmp_path / "t.docx").read_bytes()) == "附表\n事项 期限\n公开 二十日\n"


def _zip_without_document() -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not word")
    return buffer.getvalue()


@pytest.mark.parametrize("raw", [b"\xd0\xcf\x11\xe0 an old .doc file", "第一条　纯文本。".encode(), _zip_without_document()],
                         ids=["doc", "text", "zip"])
def test_a_file_that_is_not_a_docx_is_rejected_in_chinese(raw):
    regulation, articles, problems = parse_regulation(raw, "条例.docx")
    assert articles == []
    assert [p.severity for p in problems] == ["error"]
    assert problems[0].message.startswith("不是有效的 Word（.docx）文件")
    assert "另存为 .docx" in problems[0].message


@pytest.mark.parametrize("head, title", [
    ("广东省数字经济\n促进条例\n", "广东省数字经济促进条例"),
    ("山东省信息化条例\n", "山东省信息化条例"),
    ("2021年7月30日公布\n某省数据条例\n", "某省数据条例"),  # a date line is not the first half of a title
])
def test_title_broken_over_two_lines(head, title):
    regulation, _, _ = parse_regulation((head + "第一条　甲。\n").encode(), "x.txt")
    assert regulation.title == title
