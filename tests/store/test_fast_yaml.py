"""The fast YAML path gives what PyYAML's safe loader gives (values, types and key order), and leaves anything
unusual to the full loader, whose errors point at the line."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import yaml

from bot.store.yamlparse import _StoreLoader
from bot.store.yamlsafe import ReadError, read_document

SAME = [
    "title: Plain words\nn: 12\nneg: -3\nhex: 0x1f\nunderscored: 1_000\nsexagesimal: 1:30\n",
    "f: 1.5\nexp: 6.02e+23\ninf: .inf\nnan_is_text: nanny\n",
    "on: yes\noff: No\nt: true\nnull_word: null\ntilde: ~\nempty:\n",
    "date: 2025-05-01\nstamp: 2025-05-01 10:20:30\nquoted_date: '2025-05-01'\nmonth: 2025-05\n",
    "nested:\n  - id: a\n    items: [1, two, 3.0]\n  - {id: b, flow: {x: y}}\nlast: [[], {}]\n",
    "1: one\ntrue: yes\n2025-05-01: a date key\n'quoted': key\n",
    "text: |\n  two\n  lines\nfolded: >\n  one\n  line\n",
    "unicode: caf\u00e9 \u2019quote\u2019\n",
]


def _reference(text: str) -> Any:
    return yaml.load(text, Loader=_StoreLoader)


@pytest.mark.parametrize("text", SAME)
def test_the_fast_path_gives_what_the_safe_loader_gives(text: str) -> None:
    data = read_document(text.encode(), markdown=False).data
    expected = _reference(text)
    assert data == expected
    assert [type(v) for v in data.values()] == [type(v) for v in expected.values()]
    assert list(data) == list(expected)


def test_dates_stay_dates_and_numbers_stay_numbers() -> None:
    data = read_document(b"d: 2025-05-01\nn: 7\nb: on\n", markdown=False).data
    assert data == {"d": dt.date(2025, 5, 1), "n": 7, "b": True}


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("a: 1\nb: 2\na: 3\n", 3, "duplicate key 'a' (first at line 1)"),
        ("a: 1\n1: x\n'1': y\n", 3, "duplicate key '1'"),
        ("base: {x: 1}\nmerged:\n  <<: {y: 2}\n  z: 3\n", None, None),
        ("? [a, b]\n: value\n", 1, "YAML"),
        ("d: 2025-13-01\n", 1, "not a real date"),
    ],
)
def test_what_the_fast_path_leaves_to_the_full_loader(text: str, line: int | None, words: str | None) -> None:
    """Duplicate keys, merge keys, a list as a key and impossible dates: the full loader's answer or error."""
    if words is None:
        assert read_document(text.encode(), markdown=False).data == _reference(text)
        return
    with pytest.raises(ReadError) as caught:
        read_document(text.encode(), markdown=False)
    assert caught.value.line == line
    assert words in caught.value.message
