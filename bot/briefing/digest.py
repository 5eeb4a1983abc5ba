"""The change digest: what changed between two snapshots of one deal, as lines of the markdown subset."""

from __future__ import annotations

from dataclasses import dataclass

from bot.briefing.snapshot_model import DocumentSeen, Snapshot
from bot.markup import escape
from bot.reply import Progress
from bot.store.dates import ApproxDate
from bot.store.model import status_label
from bot.textfmt import credit, event_line


@dataclass(frozen=True, slots=True)
class Digest:
    """The change lines (markdown subset) and each track's progress as the channel last saw it."""

    lines: tuple[str, ...]
    previous: dict[str, Progress]
    cited: tuple[str, ...]  # source ids behind the lines


def diff(previous: Snapshot, current: Snapshot) -> Digest:
    """What changed from ``previous`` to ``current``, in a fixed order: status changes, new events, new quotes,
    then documents added, edited or removed. An edit already explained by a line above is not repeated."""
    out = _Lines(current["outlets"])
    explained: set[str] = set()

    before_tracks = {t["id"]: t for t in previous["tracks"]}
    for track in current["tracks"]:
        old_track = before_tracks.get(track["id"])
        if old_track is None:
            continue
        for mid, milestone in track["milestones"].items():
            was = old_track["milestones"].get(mid)
            where = escape(track["title"])
            if was is None:
                out.add(
                    f"- New milestone **{escape(milestone['title'])}** ({where}): {status_label(milestone['status'])}",
                    milestone["source"],
                )
            elif was["status"] != milestone["status"]:
                out.add(
                    f"- **{escape(milestone['title'])}** ({where}): {status_label(was['status'])} → "
                    f"**{status_label(milestone['status'])}**",
                    milestone["source"],
                )
            else:
                continue
            explained.add(current["deal_path"])

    before_topics = previous["topics"]
    for tid, topic in current["topics"].items():
        was_topic = before_topics.get(tid)
        if was_topic is not None and was_topic["status"] != topic["status"]:
            out.add(
                f"- **{escape(topic['title'])}**: {status_label(was_topic['status'])} → "
                f"**{status_label(topic['status'])}**",
                topic["source"],
            )
            explained.add(topic["path"])

    before_events = previous["events"]
    for eid, event in sorted(current["events"].items(), key=lambda item: (item[1]["date"].lstrip("~"), item[0])):
        if eid not in before_events:
            out.add(event_line(_human(event["date"]), event["title"], new=True), event["source"])
            if current["events_path"]:
                explained.add(current["events_path"])

    before_people = previous["people"]
    for pid, person in current["people"].items():
        known = before_people[pid]["quotes"] if pid in before_people else {}
        for key, quote in person["quotes"].items():
            if key not in known:
                out.add(
                    f"- New quote from **{escape(person['name'])}** ({_human(quote['date'])}): "
                    f"\u201c{escape(quote['text'])}\u201d",
                    quote["source"],
                )
                explained.add(person["path"])

    before_docs = previous["documents"]
    for path, doc in current["documents"].items():
        was_doc = before_docs.get(path)
        if was_doc is None:
            out.add(f"- Added: {escape(doc['title'])} (`{path}`)", None)
        elif _edited(was_doc, doc) and path not in explained:
            out.add(f"- Edited: {escape(doc['title'])} (`{path}`), updated {_human(doc['updated'])}", None)
    for path, gone in before_docs.items():
        if path not in current["documents"]:
            out.add(f"- Removed: {escape(gone['title'])} (`{path}`)", None)

    progress = {
        t["id"]: Progress(t["title"], before_tracks[t["id"]]["done"], before_tracks[t["id"]]["total"])
        for t in current["tracks"]
        if t["id"] in before_tracks
    }
    return Digest(tuple(out.lines), progress, tuple(dict.fromkeys(out.cited)))


class _Lines:
    def __init__(self, outlets: dict[str, str]) -> None:
        self.outlets = outlets
        self.lines: list[str] = []
        self.cited: list[str] = []

    def add(self, line: str, source: str | None) -> None:
        if source and source in self.outlets:
            line += credit(self.outlets[source])
            self.cited.append(source)
        self.lines.append(line)


def _edited(was: DocumentSeen, now: DocumentSeen) -> bool:
    if "visible_hash" in was and "visible_hash" in now:  # an event log: only what this viewer may see counts
        return was["visible_hash"] != now["visible_hash"]
    return was["hash"] != now["hash"]  # (a snapshot saved before visible_hash existed: the whole file)


def _human(iso: str) -> str:
    return ApproxDate.parse(iso).human()
