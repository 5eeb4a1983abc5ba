"""Sibling translations (``fish.fr.md``): prose in another language over the original's facts, checked by
``briefbot check`` against the original (facts, references, and age when the store is a git checkout)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from typer.testing import CliRunner

from bot.cli import cli
from bot.store import Store, load_store
from bot.store.index import EntityKind, Outcome
from bot.store.localize import localize
from tests.store.minimal import FILES, write_store

FISH_FR = """\
---
title: Quotas de pêche
aliases: [morue, quotas]
summary: Combien chaque partie peut pêcher.
positions:
  nl: Veut une plus grande part.
status: in_talks
updated: 2025-05-01
---
Le texte en français.
"""


def problems(root: Path) -> list[str]:
    return [str(p) for p in load_store(root).problems]


def test_a_translation_gives_prose_in_its_language_and_keeps_the_originals_facts(tmp_path: Path) -> None:
    store = load_store(write_store(tmp_path, {"deals/north-south/topics/fish.fr.md": FISH_FR}))
    assert store.problems == ()
    french = localize(store, "fr").topic("north-south", "fish")
    assert french is not None
    assert (french.topic.title, french.topic.summary, french.doc.body) == (
        "Quotas de pêche",
        "Combien chaque partie peut pêcher.",
        "Le texte en français.",
    )
    assert french.topic.positions == {"nl": "Veut une plus grande part."}
    assert (french.topic.status, french.topic.people, french.topic.sources) == ("in_talks", ["ada-lind"], ["wire"])
    english = store.topic("north-south", "fish")
    assert english is not None and english.topic.title == "Fish quotas"  # the original store is untouched


def test_names_in_either_language_find_the_topic_in_either_view(tmp_path: Path) -> None:
    store = load_store(write_store(tmp_path, {"deals/north-south/topics/fish.fr.md": FISH_FR}))
    for view in (store, localize(store, "fr")):
        for name in ("morue", "quotas de peche", "cod", "Fish quotas"):
            found = view.index.lookup(EntityKind.TOPIC, name)
            assert found.outcome is Outcome.FOUND and found.entity is not None and found.entity.id == "fish", name


def test_facts_that_disagree_with_the_original_are_reported_on_their_line(tmp_path: Path) -> None:
    text = FISH_FR.replace("status: in_talks", "status: agreed").replace("updated: 2025-05-01", "updated: 2025-04-01")
    write_store(tmp_path, {"deals/north-south/topics/fish.fr.md": text})
    assert problems(tmp_path) == [
        "deals/north-south/topics/fish.fr.md:7: 'status': 'agreed' disagrees with fish.md ('in_talks'); "
        "facts come from the original",
        "deals/north-south/topics/fish.fr.md:8: 'updated': 2025-04-01 disagrees with fish.md (2025-05-01); "
        "facts come from the original",
    ]


def test_references_the_original_lacks_and_orphans_are_reported(tmp_path: Path) -> None:
    write_store(
        tmp_path,
        {
            "deals/north-south/topics/fish.fr.md": FISH_FR.replace("  nl: Veut", "  xx: Veut"),
            "deals/north-south/topics/whales.fr.md": FISH_FR,
            "deals/north-south/deal.fr.yaml": "title: Accord Nord-Sud\ntracks:\n  quota:\n    title: Quotas\n",
        },
    )
    assert problems(tmp_path) == [
        "deals/north-south/deal.fr.yaml:3: unknown track 'quota'; deal.yaml has quotas",
        "deals/north-south/topics/fish.fr.md:6: unknown party 'xx'; fish.md has nl",
    ]
    result = CliRunner().invoke(cli, ["check", str(tmp_path)])  # an orphan serves nothing: check's to-do only
    assert result.exit_code == 1
    assert result.output.splitlines()[:3] == [
        "deals/north-south/deal.fr.yaml:3: unknown track 'quota'; deal.yaml has quotas",
        "deals/north-south/topics/fish.fr.md:6: unknown party 'xx'; fish.md has nl",
        "deals/north-south/topics/whales.fr.md:1: translation of whales.md, which is not in the store (or does not "
        "load)",
    ]


def test_the_bundled_store_is_in_french_throughout(store: Store) -> None:
    """The deal, its events, every topic and every person have a French translation that loads cleanly."""
    translated = {path for language, path in store.translations.by_original if language == "fr"}
    originals = {d.path for d in store.documents.values() if d.kind.value != "sources"}
    assert translated == originals
    french = localize(store, "fr")
    for path, doc in french.documents.items():
        if doc.kind.value in ("topic", "person"):
            assert doc.body != store.documents[path].body, path


def test_a_translated_name_that_already_names_something_else_is_reported(tmp_path: Path) -> None:
    whales = FILES["deals/north-south/topics/fish.md"].replace("Fish quotas", "Whaling").replace("[cod]", "[whales]")
    whales_fr = "---\ntitle: Chasse à la baleine\naliases: [baleines, morue, Fish Quotas, whales]\n---\n"
    write_store(
        tmp_path,
        {
            "deals/north-south/topics/whales.md": whales,
            "deals/north-south/topics/whales.fr.md": whales_fr,
            "deals/north-south/topics/fish.fr.md": FISH_FR,
        },
    )
    assert problems(tmp_path) == [  # its own English alias is no clash; another topic's names are
        "deals/north-south/topics/whales.fr.md:3: 'Fish Quotas' already names deals/north-south/topics/fish.md; "
        "pick another",
        "deals/north-south/topics/whales.fr.md:3: 'morue' already names deals/north-south/topics/fish.md; pick another",
    ]


def _git(root: Path, *args: str, when: str | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t"}
    env["GIT_COMMITTER_EMAIL"] = "t@example.org"
    if when:
        env["GIT_COMMITTER_DATE"] = env["GIT_AUTHOR_DATE"] = when
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)


def test_in_git_a_translation_committed_before_its_original_changed_is_older(tmp_path: Path) -> None:
    root = write_store(tmp_path, {"deals/north-south/topics/fish.fr.md": FISH_FR})
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "store and translation", when="2025-05-01T10:00:00Z")
    assert CliRunner().invoke(cli, ["check", str(root)]).exit_code == 0
    fish = root / "deals/north-south/topics/fish.md"
    fish.write_text(fish.read_text(encoding="utf-8").replace("Body text.", "Newer body text."), encoding="utf-8")
    _git(root, "commit", "-q", "-am", "original edited", when="2025-05-03T10:00:00Z")

    result = CliRunner().invoke(cli, ["check", str(root)])
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        "deals/north-south/topics/fish.fr.md:1: translation is older than fish.md; "
        "bring it up to date with the original"
    )
    assert problems(root) == []  # still served: a stale translation is a to-do for `briefbot check`, not a load error

    fish_fr = root / "deals/north-south/topics/fish.fr.md"
    fish_fr.write_text(FISH_FR.replace("Le texte", "Le nouveau texte"), encoding="utf-8")
    _git(root, "commit", "-q", "-am", "translation brought up to date", when="2025-05-04T10:00:00Z")
    assert CliRunner().invoke(cli, ["check", str(root)]).exit_code == 0


def test_outside_git_file_times_are_not_taken_for_age(tmp_path: Path) -> None:
    """A fresh copy gives every file the time it was copied: no age is claimed from it."""
    root = write_store(tmp_path, {"deals/north-south/topics/fish.fr.md": FISH_FR})
    os.utime(root / "deals/north-south/topics/fish.fr.md", (1_000_000, 1_000_000))
    assert problems(root) == []
    assert CliRunner().invoke(cli, ["check", str(root)]).exit_code == 0
