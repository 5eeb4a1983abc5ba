"""The change digest: what changed between two snapshots of one deal, as :class:`~bot.briefing.changes.Change`."""

from __future__ import annotations

from dataclasses import dataclass

from bot.briefing.changes import Change, Kind, change_line, maintainer_line
from bot.briefing.snapshot_model import DocumentSeen, Snapshot
from bot.i18n import DEFAULT, human_date
from bot.reply import Progress
from bot.store.dates import ApproxDate


@dataclass(frozen=True, slots=True)
class Digest:
    """The changes, each track's progress as the channel last saw it, and the outlets of the sources cited."""

    changes: tuple[Change, ...]
    previous: dict[str, Progress]
    outlets: dict[str, str]  # source id -> outlet
    language: str = DEFAULT  # of the lines (the dates in the changes are already said in it)

    @property
    def cited(self) -> tuple[str, ...]:
        """Source ids behind the changes, in order, once each."""
        return tuple(dict.fromkeys(c.source for c in self.changes if c.source))

    @property
    def lines(self) -> tuple[str, ...]:
        """Each change as a list item credited to its outlet, and the documents added, edited or removed in one."""
        lines = [
            change_line(c, self.outlets.get(c.source or ""), self.language)
            for c in self.changes
            if not c.for_maintainers
        ]
        also = maintainer_line([c for c in self.changes if c.for_maintainers], self.language)
        return (*lines, also) if also else tuple(lines)


def diff(previous: Snapshot, current: Snapshot, language: str = DEFAULT, *, said: Snapshot | None = None) -> Digest:
    """What changed from ``previous`` to ``current``, in a fixed order: topic statuses and positions, milestones
    and their dates, new events, new quotes, open questions, then documents added, edited or removed. An edit
    already explained by a change above is not repeated. A field an older snapshot lacks reports nothing.

    ``said`` is ``current`` taken from the store in the reader's language: the snapshots compared are always the
    original's (a channel's language can change between two briefings), and the titles, positions and questions
    are said from ``said``. Dates are said in ``language``."""
    words = said or current
    out: list[Change] = []
    explained: set[str] = set()
    outlets = current["outlets"]

    def add(change: Change, path: str | None) -> None:
        out.append(change)
        if path:
            explained.add(path)

    parties = words.get("parties", {})
    before_topics = previous["topics"]
    for tid, topic in current["topics"].items():
        was = before_topics.get(tid)
        if was is None:
            continue
        shown = words["topics"].get(tid, topic)
        if was["status"] != topic["status"]:
            add(
                Change(Kind.STATUS, shown["title"], was["status"], topic["status"], topic=tid, source=topic["source"]),
                topic["path"],
            )
        if "positions" in was and "positions" in topic:
            for party, position in topic["positions"].items():
                if was["positions"].get(party) != position:
                    where = parties.get(party, party)
                    words_now = shown.get("positions", {}).get(party, position)
                    add(
                        Change(Kind.POSITION, shown["title"], None, words_now, where, tid, topic["source"]),
                        topic["path"],
                    )

    before_tracks = {t["id"]: t for t in previous["tracks"]}
    questions: list[Change] = []
    said_tracks = {t["id"]: t for t in words["tracks"]}
    for track in current["tracks"]:
        old_track = before_tracks.get(track["id"])
        if old_track is None:
            continue
        track_said = said_tracks.get(track["id"], track)
        for mid, milestone in track["milestones"].items():
            was_m = old_track["milestones"].get(mid)
            title, where, source = (
                track_said["milestones"].get(mid, milestone)["title"],
                track_said["title"],
                milestone["source"],
            )
            if was_m is None:
                add(
                    Change(Kind.MILESTONE, title, None, milestone["status"], where, source=source), current["deal_path"]
                )
                continue
            if was_m["status"] != milestone["status"]:
                add(
                    Change(Kind.MILESTONE, title, was_m["status"], milestone["status"], where, source=source),
                    current["deal_path"],
                )
            if "target" in was_m and "target" in milestone and was_m["target"] != milestone["target"]:
                old, new = (_human(d, language) if d else None for d in (was_m["target"], milestone["target"]))
                add(Change(Kind.TARGET, title, old, new, where, source=source), current["deal_path"])
        if "open_questions" in old_track and "open_questions" in track:
            asked = set(old_track["open_questions"])
            still = set(track["open_questions"])
            now_said = track_said.get("open_questions", [])
            questions.extend(
                Change(Kind.QUESTION_NEW, now_said[i] if i < len(now_said) else q, where=where)
                for i, q in enumerate(track["open_questions"])
                if q not in asked
            )
            # a closed question is no longer in the store: it is said as the channel last read it
            questions.extend(
                Change(Kind.QUESTION_CLOSED, q, where=where) for q in old_track["open_questions"] if q not in still
            )

    before_events = previous["events"]
    for eid, event in sorted(current["events"].items(), key=lambda item: (item[1]["date"].lstrip("~"), item[0])):
        if eid not in before_events:
            topic_id = next(iter(event.get("topics", [])), None)
            add(
                Change(
                    Kind.NEW_EVENT,
                    words["events"].get(eid, event)["title"],
                    where=_human(event["date"], language),
                    topic=topic_id,
                    source=event["source"],
                ),
                current["events_path"],
            )

    before_people = previous["people"]
    for pid, person in current["people"].items():
        known = before_people[pid]["quotes"] if pid in before_people else {}
        for key, quote in person["quotes"].items():
            if key not in known:
                add(
                    Change(
                        Kind.QUOTE,
                        words["people"].get(pid, person)["name"],
                        None,
                        quote["text"],
                        _human(quote["date"], language),
                        source=quote["source"],
                    ),
                    person["path"],
                )

    if questions:
        out.extend(questions)
        explained.add(current["deal_path"])

    before_docs = previous["documents"]
    for path, doc in current["documents"].items():
        was_doc = before_docs.get(path)
        title = words["documents"].get(path, doc)["title"]
        if was_doc is None:
            out.append(Change(Kind.ADDED, title, where=path))
        elif _edited(was_doc, doc) and path not in explained:
            out.append(Change(Kind.EDITED, title, where=path, new=_human(doc["updated"], language)))
    for path, gone in before_docs.items():
        if path not in current["documents"]:
            out.append(Change(Kind.REMOVED, gone["title"], where=path))

    progress = {
        t["id"]: Progress(
            said_tracks.get(t["id"], t)["title"], before_tracks[t["id"]]["done"], before_tracks[t["id"]]["total"]
        )
        for t in current["tracks"]
        if t["id"] in before_tracks
    }
    return Digest(tuple(out), progress, outlets, language)


def _edited(was: DocumentSeen, now: DocumentSeen) -> bool:
    if "visible_hash" in was and "visible_hash" in now:  # an event log: only what this viewer may see counts
        return was["visible_hash"] != now["visible_hash"]
    return was["hash"] != now["hash"]  # (a snapshot saved before visible_hash existed: the whole file)


def _human(iso: str, language: str) -> str:
    return human_date(ApproxDate.parse(iso), language)
