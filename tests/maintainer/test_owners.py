"""owner:, review_every: and contact:, checked as path:line: message; what is due, and who owns it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.state import State
from bot.store import Store, load_store
from bot.store.review import due_documents, people_of
from bot.targets import Target
from tests.store.minimal import FILES, write_store

FISH = "deals/north-south/topics/fish.md"
ADA = "people/ada-lind.md"


def _fish(extra: str) -> str:
    return FILES[FISH].replace("updated: 2025-05-01\n", f"updated: 2025-05-01\n{extra}")


def _ada(extra: str) -> str:
    return FILES[ADA].replace("updated: 2025-05-01\n", f"updated: 2025-05-01\n{extra}")


def problems(root: Path) -> list[str]:
    return [str(p) for p in load_store(root).problems]


def test_owner_as_a_person_with_a_contact_or_a_target_is_clean(tmp_path: Path) -> None:
    write_store(tmp_path, {FISH: _fish("owner: ada-lind\nreview_every: 30d\n"), ADA: _ada("contact: slack:T1:@U9\n")})
    assert problems(tmp_path) == []
    write_store(tmp_path, {FISH: _fish("owner: slack:T1:@U7\nreview_every: 6w\n"), ADA: FILES[ADA]})
    assert problems(tmp_path) == []


def test_unknown_owner_malformed_interval_and_missing_contact_point_at_their_lines(tmp_path: Path) -> None:
    write_store(tmp_path, {FISH: _fish("owner: bob\n")})
    assert problems(tmp_path) == [
        f"{FISH}:11: unknown person 'bob' in owner: add people/bob.md or write a target",
    ]
    write_store(tmp_path, {FISH: _fish("owner: ada-lind\n")})
    assert problems(tmp_path) == [
        f"{FISH}:11: owner 'ada-lind' has no contact: add 'contact: slack:TEAM:@USER' to people/ada-lind.md"
    ]
    write_store(tmp_path, {FISH: _fish("review_every: monthly\n")})
    assert problems(tmp_path) == [
        f"{FISH}:11: 'review_every': 'monthly' is not an interval: write days or weeks, such as 30d or 6w"
    ]
    write_store(tmp_path, {FISH: _fish("owner: slack:T1\n")})
    assert problems(tmp_path) == [
        f"{FISH}:11: 'owner': 'slack:T1' is not a target: write it as slack:TEAM:CHANNEL (or slack:TEAM:@USER)"
    ]


def test_a_restricted_document_needs_an_owner_who_may_see_it(tmp_path: Path) -> None:
    write_store(tmp_path, {FISH: _fish("owner: slack:T1:@U7\nrestricted_to: [slack:T1:C1]\n")})
    assert problems(tmp_path) == [
        f"{FISH}:11: owner 'slack:T1:@U7' may not see this document: add slack:T1:@U7 to restricted_to, "
        "or choose another owner"
    ]


def test_due_documents_name_their_owner_and_count_recorded_reviews(tmp_path: Path) -> None:
    write_store(tmp_path, {FISH: _fish("owner: ada-lind\nreview_every: 30d\n"), ADA: _ada("contact: slack:T1:@U9\n")})
    store = load_store(tmp_path)
    fish = store.documents[FISH]
    people = people_of(store)
    assert due_documents([fish], dt.date(2025, 5, 30), 45, people=people) == []  # updated 1 May, every 30 days
    (due,) = due_documents([fish], dt.date(2025, 6, 2), 45, people=people)
    assert due.due_on == dt.date(2025, 5, 31)
    assert due.line() == "review every 30d was due 31 May 2025 (owner: Ada Lind)"
    assert due.recipient == Target.parse("slack:T1:@U9")
    # a review recorded on 20 June moves the next one to 20 July
    assert due_documents([fish], dt.date(2025, 7, 19), 45, people=people, reviewed={FISH: dt.date(2025, 6, 20)}) == []
    (later,) = due_documents([fish], dt.date(2025, 7, 20), 45, people=people, reviewed={FISH: dt.date(2025, 6, 20)})
    assert later.due_on == dt.date(2025, 7, 20)


def test_without_an_interval_the_store_wide_staleness_applies(tmp_path: Path) -> None:
    store = load_store(write_store(tmp_path))
    fish = store.documents[FISH]
    assert due_documents([fish], dt.date(2025, 6, 15), 45) == []  # 45 days after 1 May
    (due,) = due_documents([fish], dt.date(2025, 6, 16), 45)
    assert (due.line(), due.owner, due.recipient) == ("last updated 1 May 2025", None, None)


def test_the_briefing_names_the_owner_and_leaves_out_what_was_verified(tmp_path: Path) -> None:
    from bot.briefing import compose_briefing
    from bot.briefing.changes import Change, Kind
    from bot.render_text import render_text

    write_store(tmp_path, {FISH: _fish("owner: ada-lind\nreview_every: 30d\n"), ADA: _ada("contact: slack:T1:@U9\n")})
    store = load_store(tmp_path)
    deal = store.deals["north-south"]
    news = [Change(Kind.EVENT, "Talks resume", where="1 Jun 2025")]  # not a quiet day, which is one line
    text = render_text(compose_briefing(store, deal, dt.date(2025, 6, 2), changes=news))
    assert f"• {FISH}: review every 30d was due 31 May 2025 (owner: Ada Lind)" in text.splitlines()
    reviewed = {FISH: dt.date(2025, 6, 1)}
    verified = render_text(compose_briefing(store, deal, dt.date(2025, 6, 2), changes=news, reviewed=reviewed))
    assert "Gone stale" not in verified and FISH not in verified
    quiet = render_text(compose_briefing(store, deal, dt.date(2025, 6, 2)))
    assert quiet.rstrip().endswith("1 document has gone stale.")


async def test_a_reminder_goes_once_and_never_where_the_document_may_not_be_seen(tmp_path: Path) -> None:
    from bot.alerts.review_due import ReviewReminders
    from bot.state import open_state
    from tests.scheduler.helpers import ControlledClock, RecordingDelivery

    clock = ControlledClock(dt.datetime(2025, 6, 2, 12, 0, tzinfo=dt.UTC))
    state = await open_state(f"sqlite+aiosqlite:///{tmp_path}/state.db")
    delivery = RecordingDelivery(clock)
    try:
        for owner, sent in (("slack:T1:@U7", 1), ("slack:T1:@U8", 0)):
            root = write_store(tmp_path / owner[-2:], {FISH: _fish(f"owner: {owner}\nreview_every: 30d\n"
                                                                   "restricted_to: [slack:T1:@U7]\n")})  # fmt: skip
            store = load_store(root)  # U8 may not see it: check reports that, and the reminder stays unsent

            async def opened() -> State:
                return state

            def current(loaded: Store = store) -> Store:
                return loaded

            reminders = ReviewReminders(
                open_state=opened,
                store=current,
                deliveries={"slack": delivery},
                claimant="a",
                now=clock.now,
                today=lambda: clock.now().date(),
                stale_after_days=45,
                sleep=clock.sleep,
            )
            assert [await reminders.check(), await reminders.check()] == [sent, 0]
        assert [p.target for p in delivery.posts] == ["slack:T1:@U7"]
    finally:
        await state.close()
