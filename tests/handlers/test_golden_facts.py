"""The answers a policy analyst checks against the seed article: facts, figures and attributions."""

from __future__ import annotations

from tests.conftest import Ask, text_of


async def test_status_tariffs_states_the_steel_and_aluminum_rate(ask: Ask) -> None:
    text = text_of(await ask("/status tariffs"))
    assert "25%" in text
    assert "steel" in text and "aluminum" in text
    assert "12 Mar 2025" in text  # in force since
    assert "CBC News" in text  # sourced
    assert "Updated about 1 May 2025" in text


async def test_cusma_review_needs_270_days_of_us_consultation(ask: Ask) -> None:
    text = text_of(await ask("/status cusma review"))
    assert "270 days" in text
    assert "July 2026" in text or "1 Jul 2026" in text


async def test_dairy_and_digital_services_tax_are_on_the_us_list(ask: Ask) -> None:
    for query in ("dairy", "dst"):
        text = text_of(await ask(f"/status {query}"))
        assert "list" in text.lower(), text
        assert "Trade Estimate" in text or "annual" in text.lower(), text


async def test_lighthizer_calls_autos_the_biggest_thing(ask: Ask) -> None:
    text = text_of(await ask("/who lighthizer"))
    assert "\u201cthe biggest thing\u201d" in text
    assert "Autos" in text


async def test_oil_at_a_discount_for_about_twenty_years(ask: Ask) -> None:
    oil = text_of(await ask("/status oil"))
    assert "discount" in oil and "20 years" in oil
    otoole = text_of(await ask("/who otoole"))
    assert "$40 billion over 20 years" in otoole


async def test_clow_role_and_view_on_tariffs(ask: Ask) -> None:
    text = text_of(await ask("/who clow"))
    assert "Trudeau" in text and "Prime Minister's Office" in text
    assert "right out of the gate" in text  # not optimistic about quick removal
    assert "at the point of any deal" in text


async def test_deal_shows_three_tracks_with_progress_and_next_dates(ask: Ask) -> None:
    reply = await ask("/deal")
    progress = [p for s in reply.sections for p in s.progress]
    assert [p.label.split(":")[0] for p in progress] == ["Personnel", "Process", "Policy"]
    assert all(0 <= p.done <= p.total for p in progress)
    text = text_of(reply)
    assert "6 May 2025" in text  # the White House visit is ahead on 2025-05-02
    next_dates = next(s.text for s in reply.sections if s.heading == "Next dates").splitlines()
    # the scheduled visit and the milestone it moves are one date, said once
    assert len([line for line in next_dates if "6 May 2025" in line]) == 1


async def test_brief_reports_progress_and_what_is_coming(ask: Ask) -> None:
    text = text_of(await ask("/brief"))
    assert "Daily briefing" in text and "2 May 2025" in text
    assert "Coming up" in text and "White House" in text
    assert "Personnel" in text and "Policy" in text


async def test_every_person_the_article_names_is_in_the_store(ask: Ask) -> None:
    for name in ("carney", "trump", "clow", "o'toole", "lighthizer", "trudeau"):
        reply = await ask(f"/who {name}")
        assert reply.tone == "answer", (name, reply.title)
