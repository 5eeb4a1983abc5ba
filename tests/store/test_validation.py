"""Every class of store error, reported as path:line: message, all of them in one pass (golden outputs)."""

from __future__ import annotations

from pathlib import Path

from bot.store import load_store
from tests.store.minimal import FILES, write_store


def problems(root: Path) -> list[str]:
    return [str(p) for p in load_store(root).problems]


def test_minimal_store_is_clean(tmp_path: Path) -> None:
    store = load_store(write_store(tmp_path))
    assert store.problems == ()
    assert set(store.deals) == {"north-south"}
    assert store.topic("north-south", "fish") is not None


def test_wrong_type(tmp_path: Path) -> None:
    text = FILES["deals/north-south/topics/fish.md"].replace("aliases: [cod]", "aliases: cod")
    write_store(tmp_path, {"deals/north-south/topics/fish.md": text})
    assert problems(tmp_path) == [
        "deals/north-south/topics/fish.md:3: 'aliases': Input should be a valid list (got 'cod')"
    ]


def test_unknown_key_suggests_the_right_one(tmp_path: Path) -> None:
    text = FILES["people/ada-lind.md"].replace("role: Trade minister", "rol: Trade minister")
    write_store(tmp_path, {"people/ada-lind.md": text})
    # one typo, one problem: the "'role' is required" echo is left out
    assert problems(tmp_path) == ["people/ada-lind.md:4: unknown key 'rol'; did you mean 'role'?"]


def test_status_outside_the_vocabulary(tmp_path: Path) -> None:
    text = FILES["deals/north-south/deal.yaml"].replace("status: done", "status: finished")
    write_store(tmp_path, {"deals/north-south/deal.yaml": text})
    assert problems(tmp_path) == [
        "deals/north-south/deal.yaml:14: 'tracks[0].milestones[0].status': 'finished' is not allowed; use one of "
        "'not_started', 'in_progress', 'done', 'blocked', 'dropped'"
    ]


def test_bad_dates(tmp_path: Path) -> None:
    text = FILES["deals/north-south/events.yaml"].replace("date: 2025-04-30", 'date: "2025-02-30"')
    text = text.replace("updated: 2025-05-01", 'updated: "last tuesday"')
    write_store(tmp_path, {"deals/north-south/events.yaml": text})
    assert problems(tmp_path) == [
        "deals/north-south/events.yaml:1: 'updated': 'last tuesday' is not a date: write 2025-05-06, ~2025-05-01 "
        "(about), 2025-05 or 2025",
        "deals/north-south/events.yaml:4: 'events[0].date': '2025-02-30' is not a real date (day is out of range "
        "for month)",
    ]


def test_approximate_dates_are_accepted(tmp_path: Path) -> None:
    text = FILES["deals/north-south/events.yaml"].replace("date: 2025-04-30", 'date: "~2025-04"')
    write_store(tmp_path, {"deals/north-south/events.yaml": text})
    assert problems(tmp_path) == [
        "deals/north-south/events.yaml:4: 'events[0].date': '~2025-04': '~' (about) goes with a full day, such as "
        "~2025-05-01"
    ]
    write_store(tmp_path, {"deals/north-south/events.yaml": text.replace("~2025-04", "2025-04")})
    assert problems(tmp_path) == []


def test_references_to_unknown_people_topics_sources_and_milestones(tmp_path: Path) -> None:
    text = (
        FILES["deals/north-south/events.yaml"]
        .replace("topics: [fish]", "topics: [fishes]")
        .replace("people: [ada-lind]", "people: [bob]")
        .replace("milestones: [quotas/first-offer]", "milestones: [quotas/second-offer]")
        .replace("source: wire", "source: gazette")
    )
    write_store(tmp_path, {"deals/north-south/events.yaml": text})
    assert problems(tmp_path) == [
        "deals/north-south/events.yaml:6: unknown topic 'fishes' in deal 'north-south'",
        "deals/north-south/events.yaml:7: unknown milestone 'quotas/second-offer' (write track/milestone)",
        "deals/north-south/events.yaml:8: unknown person 'bob'",
        "deals/north-south/events.yaml:9: unknown source 'gazette': add it to sources.yaml",
    ]


def test_unknown_track_and_party_in_a_topic(tmp_path: Path) -> None:
    text = FILES["deals/north-south/topics/fish.md"].replace("track: quotas", "track: policy")
    text = text.replace("  nl: Wants", "  xx: Wants")
    write_store(tmp_path, {"deals/north-south/topics/fish.md": text})
    assert problems(tmp_path) == [
        "deals/north-south/topics/fish.md:4: unknown track 'policy'; deal 'north-south' has quotas",
        "deals/north-south/topics/fish.md:8: unknown party 'xx' in positions; deal 'north-south' has nl, sl",
    ]


def test_alias_claimed_by_two_people_names_both_files(tmp_path: Path) -> None:
    other = FILES["people/ada-lind.md"].replace("name: Ada Lind", "name: Bo Lind").replace("[lind]", "[bo, lind]")
    write_store(tmp_path, {"people/bo-lind.md": other})
    assert problems(tmp_path) == [
        "people/bo-lind.md:3: person alias 'lind' is already an alias of people/ada-lind.md:3",
    ]


def test_topic_alias_clash_is_per_deal(tmp_path: Path) -> None:
    clash = (
        FILES["deals/north-south/topics/fish.md"]
        .replace("title: Fish quotas", "title: Cod")
        .replace("aliases: [cod]", "aliases: []")
    )
    write_store(tmp_path, {"deals/north-south/topics/cod.md": clash})
    # the file that sorts later is the one reported, pointing at the first claimant
    assert problems(tmp_path) == [
        "deals/north-south/topics/fish.md:3: topic alias 'cod' is the id or name of deals/north-south/topics/cod.md:2",
    ]
    # the same topic id in another deal is fine
    deal_b = FILES["deals/north-south/deal.yaml"].replace("North-South accord", "East-West accord")
    write_store(
        tmp_path / "b",
        {
            "deals/east-west/deal.yaml": deal_b,
            "deals/east-west/topics/fish.md": FILES["deals/north-south/topics/fish.md"],
        },
    )
    assert problems(tmp_path / "b") == []


def test_every_error_in_one_pass_across_files(tmp_path: Path) -> None:
    write_store(
        tmp_path,
        {
            "people/ada-lind.md": FILES["people/ada-lind.md"].replace("updated: 2025-05-01", "updated: soon"),
            "deals/north-south/topics/fish.md": FILES["deals/north-south/topics/fish.md"].replace(
                "status: in_talks", "status: talking"
            ),
            "sources.yaml": FILES["sources.yaml"].replace("outlet: Example Wire\n", ""),
        },
    )
    found = problems(tmp_path)
    assert [line.split(":")[0] for line in found] == [
        "deals/north-south/topics/fish.md",
        "people/ada-lind.md",
        "sources.yaml",
    ]


def test_yaml_syntax_error_has_its_line(tmp_path: Path) -> None:
    write_store(tmp_path, {"deals/north-south/deal.yaml": "title: x\nparties: [\n  - id: nl\n"})
    found = problems(tmp_path)
    assert found[0].startswith("deals/north-south/deal.yaml:3: YAML:")


def test_python_tags_are_refused(tmp_path: Path) -> None:
    text = (
        "title: !!python/object/apply:os.system ['echo hi']\n" + FILES["deals/north-south/deal.yaml"].split("\n", 1)[1]
    )
    write_store(tmp_path, {"deals/north-south/deal.yaml": text})
    found = problems(tmp_path)
    assert found[0].startswith("deals/north-south/deal.yaml:1: YAML tag not allowed") or "tag" in found[0], found


def test_alias_bombs_are_refused(tmp_path: Path) -> None:
    bomb = 'a: &a ["x","x"]\nb: &b [*a,*a]\nc: &c [*b,*b]\ntitle: *c\n'
    write_store(tmp_path, {"deals/north-south/deal.yaml": bomb})
    assert problems(tmp_path)[0] == (
        "deals/north-south/deal.yaml:2: YAML aliases (*name) are not allowed in a store file; write the value out"
    )


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    write_store(tmp_path, {"people/ada-lind.md": FILES["people/ada-lind.md"] + "x" * 300_000})
    assert problems(tmp_path)[0].startswith("people/ada-lind.md:1: file is 30")
    assert "limit" in problems(tmp_path)[0]


def test_front_matter_must_be_a_mapping(tmp_path: Path) -> None:
    write_store(tmp_path, {"people/ada-lind.md": "---\n- just\n- a list\n---\nbody\n"})
    assert problems(tmp_path)[0] == "people/ada-lind.md:2: expected a mapping of fields (key: value), got a list"


def test_invalid_utf8_names_its_line(tmp_path: Path) -> None:
    write_store(tmp_path)
    (tmp_path / "people/ada-lind.md").write_bytes(b"---\nname: Ada\nrole: \xff\n---\n")
    assert problems(tmp_path)[0] == "people/ada-lind.md:3: not valid UTF-8 (byte 0xff); save the file as UTF-8"


def test_misplaced_file_is_reported(tmp_path: Path) -> None:
    write_store(tmp_path, {"topics/fish.md": FILES["deals/north-south/topics/fish.md"]})
    assert problems(tmp_path)[0].startswith("topics/fish.md:1: not a place for a store document")


def test_link_outside_the_store_is_refused(tmp_path: Path) -> None:
    root = write_store(tmp_path / "store")
    outside = tmp_path / "secret.md"
    outside.write_text(FILES["people/ada-lind.md"].replace("Ada Lind", "Eve"), encoding="utf-8")
    (root / "people/eve.md").symlink_to(outside)
    assert "people/eve.md:1: is a link that leads outside the store; refused" in problems(root)


def test_a_broken_document_does_not_take_the_rest_down(tmp_path: Path) -> None:
    write_store(tmp_path, {"people/ada-lind.md": "---\nname: [\n---\n"})
    store = load_store(tmp_path)
    assert store.problems
    assert store.topic("north-south", "fish") is not None  # the rest is served
    assert store.deals["north-south"].events


def test_unquoted_impossible_date_names_its_line(tmp_path: Path) -> None:
    text = FILES["deals/north-south/events.yaml"].replace("date: 2025-04-30", "date: 2025-13-01")
    write_store(tmp_path, {"deals/north-south/events.yaml": text})
    assert problems(tmp_path) == [
        "deals/north-south/events.yaml:4: YAML: a value is not a real date (month must be in 1..12)"
    ]


def test_duplicate_keys_are_refused_with_both_lines(tmp_path: Path) -> None:
    text = FILES["deals/north-south/topics/fish.md"].replace("title: Fish quotas\n", "title: Fish quotas\ntitle: Dup\n")
    write_store(tmp_path, {"deals/north-south/topics/fish.md": text})
    assert problems(tmp_path) == [
        "deals/north-south/topics/fish.md:3: duplicate key 'title' (first at line 2); keep one"
    ]


def test_restricted_to_takes_only_real_targets(tmp_path: Path) -> None:
    text = FILES["deals/north-south/topics/fish.md"].replace(
        "sources: [wire]\n---", 'sources: [wire]\nrestricted_to: [slack-nope, "slack:T1"]\n---'
    )
    write_store(tmp_path, {"deals/north-south/topics/fish.md": text})
    assert problems(tmp_path) == [
        "deals/north-south/topics/fish.md:12: 'restricted_to[0]': 'slack-nope' is not a target: it must start with "
        "one of slack, discord, console, slack-webhook, discord-webhook, teams-webhook, email",
        "deals/north-south/topics/fish.md:12: 'restricted_to[1]': 'slack:T1' is not a target: write it as "
        "slack:TEAM:CHANNEL (or slack:TEAM:@USER)",
    ]


def test_an_alias_never_takes_another_documents_id_whatever_the_file_order(tmp_path: Path) -> None:
    # aaron.md sorts before ada-lind.md, yet the clash is reported on aaron's alias, not on ada-lind's id
    aaron = FILES["people/ada-lind.md"].replace("name: Ada Lind", "name: Aaron Berg").replace("[lind]", "[ada-lind]")
    write_store(tmp_path, {"people/aaron.md": aaron})
    assert problems(tmp_path) == [
        "people/aaron.md:3: person alias 'ada-lind' is the id or name of people/ada-lind.md:2"
    ]


def test_an_unclosed_bracket_is_reported_where_it_opens(tmp_path: Path) -> None:
    text = FILES["deals/north-south/topics/fish.md"].replace("aliases: [cod]", "aliases: [cod, haddock")
    write_store(tmp_path, {"deals/north-south/topics/fish.md": text})
    found = problems(tmp_path)
    assert found[0].startswith("deals/north-south/topics/fish.md:3: YAML: did not find expected ',' or ']'")
    assert "flow sequence that starts on this line" in found[0]


def test_binary_and_every_other_explicit_tag_are_refused_with_their_line(tmp_path: Path) -> None:
    deal = FILES["deals/north-south/deal.yaml"]
    binary = deal.replace("summary: Two", "summary: !!binary VHdv\n# Two")  # base64 for 'Two'
    write_store(tmp_path, {"deals/north-south/deal.yaml": binary})
    assert problems(tmp_path) == [
        "deals/north-south/deal.yaml:7: YAML tag '!!binary' is not allowed in a store file; write the plain value"
    ]
    for tagged, shown in (("!!str Two", "!!str"), ("!local Two", "!local"), ("! Two", "!")):
        write_store(tmp_path, {"deals/north-south/deal.yaml": deal.replace("summary: Two", f"summary: {tagged}")})
        assert problems(tmp_path) == [
            f"deals/north-south/deal.yaml:7: YAML tag '{shown}' is not allowed in a store file; write the plain value"
        ]


def test_a_tag_in_front_matter_names_its_line_in_the_file(tmp_path: Path) -> None:
    fish = FILES["deals/north-south/topics/fish.md"]
    write_store(tmp_path, {"deals/north-south/topics/fish.md": fish.replace("aliases: [cod]", "aliases: !!seq [cod]")})
    assert problems(tmp_path) == [
        "deals/north-south/topics/fish.md:3: YAML tag '!!seq' is not allowed in a store file; write the plain value"
    ]


def test_exclamation_marks_in_values_are_not_tags(tmp_path: Path) -> None:
    fish = FILES["deals/north-south/topics/fish.md"]
    text = fish.replace("How much each side may catch.", '"!!binary and !x are words here!"')
    text = text.replace("Wants a larger share.", "Wants more! Says !x is not a tag!")
    write_store(tmp_path, {"deals/north-south/topics/fish.md": text})
    assert problems(tmp_path) == []
