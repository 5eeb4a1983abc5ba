"""The shared text pieces: clipping and the event and outlet credits every surface uses."""

from __future__ import annotations

from fractions import Fraction

from bot.textfmt import clip, credit, event_line, one_line, source_text


def test_clip_leaves_short_text_alone_and_never_exceeds_the_limit() -> None:
    assert clip("short", 5) == "short"
    text = "word " * 50
    for limit in range(0, 60):
        assert len(clip(text, limit)) <= limit
    assert clip("abcdef", 1) == ""  # no room for anything but the mark: nothing, rather than a lone "…"


def test_clip_cuts_back_to_a_break_only_when_that_loses_little() -> None:
    text = "alpha beta gamma-delta-epsilon-zeta"
    assert clip(text, 20) == "alpha beta gamma-de…"  # no break asked for: a hard cut
    assert clip(text, 20, breaks=" ") == "alpha beta…"  # any distance back
    assert clip(text, 20, breaks=" ", lose=3) == "alpha beta gamma-de…"  # the space is 9 back: too far
    assert clip(text, 20, breaks=" ", lose=Fraction(1, 2)) == "alpha beta…"
    assert clip("line one\nline two words", 20, breaks="\n ") == "line one…"  # a line end first


def test_clip_tidies_the_kept_text_before_looking_for_a_break() -> None:
    def no_open_link(head: str) -> str:
        return head[: head.rfind("<")] if head.rfind("<") > head.rfind(">") else head

    assert clip("see <https://example.org|the page>", 20, tidy=no_open_link) == "see…"
    assert clip("trailing     spaces", 15, mark=" [cut]") == "trailing [cut]"  # no space before the mark


def test_one_line_collapses_whitespace() -> None:
    assert one_line("  tariffs\n\tand   steel ") == "tariffs and steel"


def test_credits_and_event_lines_escape_store_text() -> None:
    assert credit(None) == ""
    assert credit("CBC News") == " _(CBC News)_"
    assert credit(None, "5 May 2025") == " _(5 May 2025)_"
    assert credit("CBC *News*", "5 May 2025") == " _(CBC \\*News\\*, 5 May 2025)_"
    assert event_line("2 May 2025", "Talks", "CBC News") == "- **2 May 2025**: Talks _(CBC News)_"
    assert event_line("2 May 2025", "Talks_resume", None, new=True) == "- New event, **2 May 2025**: Talks\\_resume"
    assert source_text("CBC News", "Talks", "2 May 2025") == "CBC News, \u201cTalks\u201d, 2 May 2025"
