import pytest

from ingest.numerals import article_label, parse_numeral, to_numeral


@pytest.mark.parametrize("text, number", [
    ("一", 1), ("十", 10), ("十一", 11), ("二十", 20), ("二十八", 28), ("九十九", 99),
    ("一百", 100), ("一百零二", 102), ("一百一十", 110), ("一百九十九", 199), ("两百", 200),
    ("一千零一", 1001), ("〇", 0), ("28", 28), ("２８", 28),
])
def test_parse_numeral(text, number):
    assert parse_numeral(text) == number


@pytest.mark.parametrize("text", ["", "条", "二二", "百百", "十百", "零十", "a1"])
def test_parse_numeral_rejects(text):
    with pytest.raises(ValueError):
        parse_numeral(text)


@pytest.mark.parametrize("number", range(1, 300))
def test_round_trip(number):
    assert parse_numeral(to_numeral(number)) == number


@pytest.mark.parametrize("number, sub, label", [
    (1, 0, "第一条"), (10, 0, "第十条"), (28, 0, "第二十八条"), (102, 0, "第一百零二条"),
    (110, 0, "第一百一十条"), (12, 1, "第十二条之一"),
])
def test_article_label(number, sub, label):
    assert article_label(number, sub) == label
