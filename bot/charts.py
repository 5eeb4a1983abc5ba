"""A deal's progress over time, per track, drawn as a PNG from the deal file's git history.

The series are plain data (one step per commit that moved a track's count); the drawing uses matplotlib's Agg
canvas, offline and without pyplot's global state, and matplotlib is imported only when a chart is drawn, so
start-up and one-shot commands never pay for it.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.briefing.progress import track_progress
from bot.store.dates import human_day
from bot.store.model import Deal

WIDTH_INCHES, HEIGHT_INCHES, DPI = 8.0, 4.2, 100


@dataclass(frozen=True, slots=True)
class Point:
    when: dt.datetime
    done: int
    total: int

    @property
    def percent(self) -> float:
        return 100.0 * self.done / self.total if self.total else 0.0


@dataclass(frozen=True, slots=True)
class TrackSeries:
    id: str
    title: str  # as the deal names the track now
    points: tuple[Point, ...]  # oldest first; a point wherever the count changed


def progress_series(revisions: Iterable[tuple[dt.datetime, Deal]]) -> list[TrackSeries]:
    """Each track's milestones done over total, from the deal as committed at each time (oldest first)."""
    points: dict[str, list[Point]] = {}
    titles: dict[str, str] = {}
    for when, deal in revisions:
        for track in deal.tracks:
            progress = track_progress(track)
            titles[track.id] = track.title
            series = points.setdefault(track.id, [])
            if not series or (series[-1].done, series[-1].total) != (progress.done, progress.total):
                series.append(Point(when, progress.done, progress.total))
    return [TrackSeries(t, titles[t], tuple(p)) for t, p in points.items()]


def describe(title: str, series: Sequence[TrackSeries], until: dt.datetime) -> str:
    """What the chart shows, in words (alt text, and all a text-only reader gets)."""
    start = min((s.points[0].when for s in series if s.points), default=until)
    moves = "; ".join(
        f"{s.title} " + " → ".join(f"{p.done}/{p.total}" for p in s.points[-4:]) for s in series if s.points
    )
    return f"Milestones done per track of {title}, {human_day(start.date())} to {human_day(until.date())}: {moves}."


def render_png(title: str, series: Sequence[TrackSeries], until: dt.datetime) -> bytes:
    """A step chart, one line per track: the share of its milestones done, up to ``until``."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    for track in series:
        if not track.points:
            continue
        last = track.points[-1]
        times = [*(p.when for p in track.points), max(until, last.when)]
        xs = [float(date2num(t)) for t in times]  # type: ignore[no-untyped-call]
        ys = [p.percent for p in track.points] + [last.percent]
        axes.step(xs, ys, where="post", linewidth=2, label=f"{track.title} ({last.done}/{last.total})")
    locator = AutoDateLocator()  # type: ignore[no-untyped-call]  # (matplotlib leaves these two untyped)
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    axes.set_ylim(-2, 102)
    axes.set_ylabel("Milestones done (%)")
    axes.set_title(title)
    axes.grid(alpha=0.3)
    axes.legend(loc="upper left", fontsize="small")
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png", metadata={"Software": None})  # no version stamp: same data, same bytes
    return out.getvalue()
