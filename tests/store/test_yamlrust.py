"""The yaml-rs path reads a file exactly as PyYAML's safe loader does (values, types, key order, and the same
error where PyYAML has one), and leaves to PyYAML every file the two could read differently."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.store import yamlparse, yamlrust
from bot.store.yamlsafe import ReadError, _split_front_matter

BUNDLED = Path(__file__).resolve().parents[2] / "briefings"

Outcome = tuple[object, ...]


def _outcome(text: str) -> Outcome:
    try:
        return ("read", repr(yamlparse.safe_load(text, 0)))
    except ReadError as exc:
        return ("refused", exc.line, exc.message, exc.col)
    except Exception as exc:  # whatever PyYAML's own path raises, the fast one must raise too
        return ("raised", type(exc).__name__)


def _pyyaml_only(text: str, monkeypatch: pytest.MonkeyPatch) -> Outcome:
    with monkeypatch.context() as patched:
        patched.setattr(yamlparse, "load_plain", lambda _text: None)
        return _outcome(text)


def _both_agree(text: str) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert _outcome(text) == _pyyaml_only(text, monkeypatch), text


# Plain words YAML 1.1 and 1.2 read differently, or that PyYAML reads as something other than text.
TRICKY = [
    "yes", "No", "on", "Off", "y", "n", "true", "TRUE", "false", "null", "Null", "~", "",
    "012", "0o12", "0x1F", "0b11", "1_000", "1:30", "12:30:45", "1e3", "1.5", "6.02e+23", ".inf", "-.inf", ".nan",
    "+1", "-3", "0", "2025-05-01", "2025-5-1", "2025-13-01", "2025-05-01 10:20:30", "2025-05-01T10:20:30Z",
    "2001-12-14t21:59:43.10-05:00", "2025-05", "20250501", "<<", "=", "word", "two words", "Tariffs on steel",
    "x#y", "x # note", "caf\u00e9", "a-b", "-x", "?x", ":x", "x:y", "@x", "%x", "~2025-05-01",
]  # fmt: skip
WORDS = st.sampled_from(TRICKY)


def _quoted(style: str, value: str) -> str:
    if style == "single":
        return "'" + value.replace("'", "''") + "'"
    if style == "double":
        return json.dumps(value, ensure_ascii=False)
    if style == "escaped":  # the same text spelt with escapes
        return '"' + "".join(f"\\x{ord(c):02x}" if c == "-" else c for c in value) + '"'
    return value


SCALARS = st.builds(_quoted, st.sampled_from(["plain", "plain", "single", "double", "escaped"]), WORDS)


@st.composite
def documents(draw: st.DrawFn) -> str:
    """A front matter of tricky keys and values, written in every way a maintainer might."""
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 5))):
        key = draw(st.one_of(st.sampled_from(["title", "date", "a b", "tags"]), SCALARS))
        shape = draw(st.sampled_from(["scalar", "flow", "block list", "nested", "literal", "folded"]))
        if shape == "scalar":
            lines.append(f"{key}: {draw(SCALARS)}{draw(st.sampled_from(['', ' # note', '  ']))}")
        elif shape == "flow":
            lines.append(f"{key}: [{', '.join(draw(st.lists(SCALARS, max_size=3)))}]")
        elif shape == "block list":
            lines.append(f"{key}:")
            lines.extend(f"  - {item}" for item in draw(st.lists(SCALARS, min_size=1, max_size=3)))
        elif shape == "nested":
            lines.append(f"{key}:")
            lines.extend(f"  {k}: {v}" for k, v in draw(st.lists(st.tuples(SCALARS, SCALARS), min_size=1, max_size=3)))
        else:
            chomp = draw(st.sampled_from(["", "-", "+"]))
            lines.append(f"{key}: {'|' if shape == 'literal' else '>'}{chomp}")
            lines.extend(f"  {word}" for word in draw(st.lists(WORDS.filter(bool), min_size=1, max_size=2)))
    if draw(st.booleans()):
        lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(["", "# a comment", "---", "..."])))
    ending = draw(st.sampled_from(["\n", "\n", "\r\n"]))
    return ending.join(lines) + ending


@settings(max_examples=400, deadline=None)
@given(documents())
def test_tricky_documents_read_as_pyyaml_reads_them(text: str) -> None:
    _both_agree(text)


# Raw text from YAML's own punctuation, whitespace and the characters the two YAML versions treat apart.
NOISE = st.text(alphabet=list("ab1-: \t\n\r[]{},'\"#|>&%@`?.~\\\x07\x85\u2028\ufeff\u00e9"), max_size=40)


@settings(max_examples=600, deadline=None)
@given(NOISE)
def test_any_text_reads_or_fails_as_pyyaml_says(text: str) -> None:
    _both_agree(text)


# Pieces of YAML's syntax strung together: block scalars, anchors, document markers, flow collections.
PIECES = ["a", "b: ", "- ", "  ", "\n", "? ", ": ", "[", "]", "{", "}", ", ", "#", "'", '"', "|", ">", "yes"]
PIECES += ["2025-05-01", "012", "-", "x y", "\n  ", "\n- ", "&a ", "...", "---"]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=14).map("".join))
def test_syntax_strung_together_reads_as_pyyaml_reads_it(text: str) -> None:
    _both_agree(text)


@pytest.mark.parametrize(
    "text",
    [
        *("\t::", "{>}", "a: [?x]\n", "a: {b: ?x}\n", "...\na: x\n", "&a b: &a c\n", "!# 0::", "b: |\n", "b: >\n  \n"),
        *("b: |\n  a", "x: {a:}\n", "x: {a:, b}\n"),
    ],
)
def test_where_the_two_yamls_part_pyyaml_decides(text: str) -> None:
    """Each found by the tests above: yaml-rs reads text, a mapping or an empty block otherwise than PyYAML."""
    assert yamlrust.load_plain(text) is None
    _both_agree(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("d: 2025-05-01\n", {"d": dt.date(2025, 5, 1)}),
        ("d: '2025-05-01'\n", {"d": "2025-05-01"}),
        ('d: "2025-05-01"\n', {"d": "2025-05-01"}),
        ('d: "2025\\x2d05-01"\n', {"d": "2025-05-01"}),
        ("d: |-\n  2025-05-01\n", {"d": "2025-05-01"}),
        ("b: yes\nq: 'yes'\n", {"b": True, "q": "yes"}),
        ("n: 012\nh: 0o12\ne: 1e3\n", {"n": 10, "h": "0o12", "e": "1e3"}),
        ("t: 1:30\n", {"t": 90}),
    ],
)
def test_what_only_pyyaml_can_say_is_left_to_it(text: str, expected: dict[str, object]) -> None:
    assert yamlparse.safe_load(text, 0) == expected
    assert repr(yamlparse.safe_load(text, 0)) == repr(expected)  # a date is not its text, 10 is not '10'


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("a: x\n---\nb: y\n", 2, "another document"),
        ("a: \x07\n", 1, "is not allowed in YAML"),
        ("a: 1\nb: 2\na: 3\n", 3, "duplicate key 'a' (first at line 1)"),
        ("a: x\nb: y\n'a': z\n", 3, "duplicate key 'a' (first at line 1)"),
        ("d: 2025-13-01\n", 1, "not a real date"),
    ],
)
def test_what_pyyaml_refuses_is_still_refused_at_its_line(text: str, line: int, words: str) -> None:
    """yaml-rs takes several documents and any printable character; PyYAML's refusal is the one reported."""
    with pytest.raises(ReadError) as caught:
        yamlparse.safe_load(text, 0)
    assert caught.value.line == line
    assert words in caught.value.message


def _front_matters() -> list[Path]:
    return sorted(p for p in BUNDLED.rglob("*") if p.suffix in (".md", ".yaml") and "translations" not in p.parts)


@pytest.mark.parametrize("path", _front_matters(), ids=lambda p: str(p.relative_to(BUNDLED)))
def test_the_bundled_store_is_read_by_yaml_rs(path: Path) -> None:
    """The fast path is the usual one: every file of the bundled store goes through it, and reads the same."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".md":
        if not text.startswith("---"):
            pytest.skip("not a store document (a README)")
        text = _split_front_matter(text)[0]
    taken = yamlrust.load_plain(text)
    assert taken is not None
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert ("read", repr(taken)) == _pyyaml_only(text, monkeypatch)


DEEP = {
    "compact sequences": "a:\n  " + "- " * 60_000 + "x\n",
    "compact sequences, first line": "- " * 60_000 + "x\n",
    "compact keys, after CR": "a:\r" + "? " * 60_000 + "x\r",
    "indented mappings": "".join(" " * (2 * level) + "k:\n" for level in range(300)),
    "flow sequences": "a: " + "[" * 60_000 + "]" * 60_000 + "\n",
}


@pytest.mark.parametrize("text", DEEP.values(), ids=DEEP.keys())
def test_a_deeply_nested_file_never_ends_the_process(text: str, tmp_path: Path) -> None:
    """yaml-rs recurses without a bound on block nesting: 100 KB of '- - - ...' overflowed its stack and ended the
    process (a segmentation fault, in a worker and then in the bot). Such a file is now left to PyYAML, which reads
    it or refuses it with a line. Run in a process of its own, so that a crash fails this test, not the whole run."""
    import subprocess
    import sys

    (tmp_path / "deep.yaml").write_text(text, encoding="utf-8")
    script = (
        "import sys; from pathlib import Path; from bot.store.read import parse_raw\n"
        "read = parse_raw('deals/x/deal.yaml', Path(sys.argv[1]).read_bytes())\n"
        "print(read[0].line if isinstance(read, list) else 'read')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "deep.yaml")], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() != ""
