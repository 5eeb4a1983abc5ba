"""A small store in a temporary git repository, committed to by several authors at chosen dates."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import yaml

AUTHORS = {
    "alice": ("Alice Martin", "alice@example.org"),
    "bob": ("Bob Singh", "bob@example.org"),
    "carol": ("Carol Roy", "carol@example.org"),
}


def git(repo: Path, *args: str, who: str = "alice", when: str = "2025-01-01T12:00:00+00:00") -> str:
    name, email = AUTHORS[who]
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
        "GIT_COMMITTER_DATE": when,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    done = subprocess.run(["git", "-C", str(repo), *args], env=env, capture_output=True, text=True, check=True)
    return done.stdout


def init(repo: Path) -> None:
    repo.mkdir(parents=True, exist_ok=True)
    git(repo, "init", "-q", "-b", "main")


def write(root: Path, relative: str, data: dict[str, Any], body: str | None = None) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    path.write_text(f"---\n{text}---\n{body}\n" if body is not None else text, encoding="utf-8")


def commit(repo: Path, message: str, *, who: str, when: str) -> None:
    git(repo, "add", "-A", who=who, when=when)
    git(repo, "commit", "-q", "-m", message, who=who, when=when)


SOURCES = {"sources": [{"id": "gazette", "outlet": "The Gazette", "title": "Talks open", "date": "2025-01-10"}]}


def deal(milestone: str = "not_started") -> dict[str, Any]:
    return {
        "title": "Canada–US trade talks",
        "parties": [{"id": "ca", "name": "Canada"}, {"id": "us", "name": "United States"}],
        "summary": "Canada and the United States negotiate dairy and steel.",
        "tracks": [
            {
                "id": "market-access",
                "title": "Market access",
                "milestones": [
                    {"id": "dairy-offer", "title": "Dairy offer tabled", "status": milestone},
                    {"id": "steel-deal", "title": "Steel deal signed", "status": "not_started"},
                ],
            }
        ],
        "updated": "2025-02-01",
    }


def topic(status: str = "open", positions: dict[str, str] | None = None, updated: str = "2025-02-01") -> dict[str, Any]:
    return {
        "title": "Dairy",
        "track": "market-access",
        "status": status,
        "summary": "Access to Canada's dairy market.",
        "positions": positions if positions is not None else {"ca": "Supply management stays."},
        "updated": updated,
        "sources": ["gazette"],
    }


def events(*items: dict[str, Any]) -> dict[str, Any]:
    return {"updated": "2025-02-01", "events": list(items)}


def make_history(repo: Path, store: str = "") -> Path:
    """Five commits by three people; returns the store folder (``store`` is a subfolder of the repo, or none)."""
    init(repo)
    root = repo / store if store else repo
    write(root, "sources.yaml", SOURCES)
    write(root, "deals/cu/deal.yaml", deal())
    write(root, "deals/cu/events.yaml", events())
    write(root, "deals/cu/topics/dairy.md", topic(), "Dairy is the hard part.")
    commit(repo, "Start the Canada-US store", who="alice", when="2025-02-01T09:00:00+00:00")

    write(
        root,
        "deals/cu/topics/dairy.md",
        topic("in_talks", {"ca": "Supply management stays, quotas may grow.", "us": "Open the dairy market."}),
        "Dairy is the hard part.\nBoth sides now talk about quotas.",
    )
    commit(repo, "Dairy: talks have started", who="bob", when="2025-02-10T15:30:00+00:00")

    (root / "deals/cu/topics/dairy.md").write_text("---\ntitle: [Dairy\n---\nbroken\n", encoding="utf-8")
    commit(repo, "WIP dairy", who="carol", when="2025-02-20T10:00:00+00:00")

    write(
        root,
        "deals/cu/topics/dairy.md",
        topic("stalled", {"ca": "Supply management stays, quotas may grow.", "us": "Open the dairy market."}),
        "Dairy is the hard part.\nBoth sides now talk about quotas.",
    )
    write(root, "deals/cu/deal.yaml", deal("in_progress"))
    event = {"id": "dairy-round", "date": "2025-03-04", "title": "Dairy round in Ottawa", "source": "gazette"}
    write(root, "deals/cu/events.yaml", events(event))
    commit(repo, "Dairy stalls after the Ottawa round", who="alice", when="2025-03-05T18:00:00+00:00")

    git(
        repo,
        "mv",
        (Path(store) / "deals/cu/topics/dairy.md").as_posix(),
        (Path(store) / "deals/cu/topics/dairy-quotas.md").as_posix(),
    )
    commit(repo, "Rename dairy to dairy-quotas", who="bob", when="2025-03-10T08:00:00+00:00")
    return root
