"""Pictures for Discord: a weekly chart of a place's mentions, and a small map of a sector.

Both are drawn with matplotlib's Agg backend on a Figure of their own (never pyplot's global state,
so two threads can draw at once), imported only when a picture is asked for: the library stays light
for the CLI and ingest. Colours are for Discord's dark theme (background #313338): light text, bright
markers. A picture is a PNG in bytes, with the texts drawn on it (tests and alt text use them).

No oblast outlines: no small, public-domain Natural Earth admin-1 file ships on PyPI (the packages
found either download the data at run time or carry it under another licence), and nothing may be
fetched at run time.
"""
from __future__ import annotations

import io
import math
from dataclasses import dataclass
from datetime import date, timedelta

from retrieval.distance import haversine_km

BACKGROUND = "#313338"
PANEL = "#2b2d31"
TEXT = "#dbdee1"
MUTED = "#949ba4"
ACCENT = "#f0b232"       # the asked-for place, the bars
PERIOD = "#5865f2"       # the selected period
MARKER = "#57f287"
DPI = 100


@dataclass(frozen=True)
class Picture:
    png: bytes
    width: int
    height: int
    texts: tuple[str, ...]          # every text drawn: title, axis labels, place labels

    @property
    def labels(self) -> tuple[str, ...]:
        return self.texts


def weekly_counts(dates: list[date], since: date | None = None, until: date | None = None) -> list[tuple[date, int]]:
    """Articles per week (weeks start on Monday), every week from the first to the last, zeros kept."""
    if not dates:
        return []
    first = min([d for d in dates] + ([since] if since else []))
    last = max([d for d in dates] + ([until] if until else []))
    start = first - timedelta(days=first.weekday())
    counts: dict[date, int] = {}
    for d in dates:
        week = d - timedelta(days=d.weekday())
        counts[week] = counts.get(week, 0) + 1
    out = []
    week = start
    while week <= last:
        out.append((week, counts.get(week, 0)))
        week += timedelta(days=7)
    return out


def timeline_chart(weekly: list[tuple[date, int]], period: tuple[date | None, date | None], title: str,
                   *, size: tuple[int, int] = (800, 360)) -> Picture:
    """Bars of articles per week, the selected period shaded."""
    figure, axes = _figure(size)
    texts = [title]
    if weekly:
        weeks = [w for w, _ in weekly]
        counts = [c for _, c in weekly]
        axes.bar(weeks, counts, width=6, align="edge", color=ACCENT, edgecolor=ACCENT)
        lo, hi = period
        if lo is not None or hi is not None:
            left = lo or weeks[0]
            right = (hi or weeks[-1] + timedelta(days=7))
            axes.axvspan(left, right, color=PERIOD, alpha=0.28, zorder=0)
            shown = f"{lo.isoformat() if lo else '…'} – {hi.isoformat() if hi else '…'}"
            axes.text(0.99, 0.97, f"selected: {shown}", transform=axes.transAxes, ha="right", va="top",
                      color=TEXT, fontsize=9)
            texts.append(f"selected: {shown}")
        axes.set_ylim(0, max(counts) * 1.15 + 0.5)
        axes.yaxis.get_major_locator().set_params(integer=True)
        figure.autofmt_xdate(rotation=0, ha="center")
    else:
        axes.text(0.5, 0.5, "no dated articles", transform=axes.transAxes, ha="center", va="center",
                  color=MUTED, fontsize=12)
        texts.append("no dated articles")
    axes.set_ylabel("articles per week", color=TEXT)
    texts.append("articles per week")
    axes.set_title(title, color=TEXT, fontsize=13, loc="left")
    return _finish(figure, size, texts)


def sector_map(places: list[tuple[str, float, float, int]], highlight: str | None, title: str,
               *, size: tuple[int, int] = (720, 560)) -> Picture:
    """The places at their coordinates, sized by mentions, the asked-for one highlighted, labels that
    do not collide (greedy: the highlighted place, then the most mentioned, each tries a few
    positions and is left out if all overlap), and a scale bar in km."""
    figure, axes = _figure(size)
    texts = [title]
    points = [(n, lat, lon, max(0, int(m))) for n, lat, lon, m in places if lat is not None and lon is not None]
    if not points:
        axes.text(0.5, 0.5, "no places with coordinates", transform=axes.transAxes, ha="center", color=MUTED)
        axes.set_title(title, color=TEXT, fontsize=13, loc="left")
        return _finish(figure, size, [*texts, "no places with coordinates"])
    mean_lat = sum(p[1] for p in points) / len(points)
    squash = math.cos(math.radians(mean_lat))     # equirectangular: a degree of longitude is shorter
    xs = [lon * squash for _, _, lon, _ in points]
    ys = [lat for _, lat, _, _ in points]
    top = max(p[3] for p in points) or 1
    sizes = [max(18 + 320 * math.sqrt(m / top), 140 if n == highlight else 0) for n, _, _, m in points]
    colours = [ACCENT if n == highlight else (MARKER if m else MUTED) for n, _, _, m in points]
    order = sorted(range(len(points)), key=lambda i: (points[i][0] == highlight, points[i][3]))
    axes.scatter([xs[i] for i in order], [ys[i] for i in order], s=[sizes[i] for i in order],
                 c=[colours[i] for i in order], alpha=0.85, edgecolors=BACKGROUND, linewidths=0.8, zorder=3)
    pad_x = (max(xs) - min(xs)) * 0.12 + 0.05
    pad_y = (max(ys) - min(ys)) * 0.12 + 0.05
    axes.set_xlim(min(xs) - pad_x, max(xs) + pad_x)
    axes.set_ylim(min(ys) - pad_y, max(ys) + pad_y)
    axes.set_aspect("equal")
    axes.set_xticks([])
    axes.set_yticks([])
    axes.set_title(title, color=TEXT, fontsize=13, loc="left")
    texts += _place_labels(figure, axes, points, xs, ys, highlight)
    texts.append(_scale_bar(axes, mean_lat, squash))
    if any(m for *_, m in points):
        axes.text(0.99, 0.01, "circle size: mentions in recent articles", transform=axes.transAxes,
                  ha="right", va="bottom", color=MUTED, fontsize=8)
        texts.append("circle size: mentions in recent articles")
    return _finish(figure, size, texts)


def warm_up() -> None:
    """Import matplotlib and draw once (about a second, spent at start-up rather than on the first
    picture a user asks for)."""
    timeline_chart([(date(2024, 1, 1), 1)], (None, None), "warm-up")


# --------------------------------------------------------------------------- drawing helpers


def _figure(size: tuple[int, int]):
    from matplotlib.figure import Figure

    figure = Figure(figsize=(size[0] / DPI, size[1] / DPI), dpi=DPI, facecolor=BACKGROUND)
    axes = figure.add_subplot(1, 1, 1)
    axes.set_facecolor(PANEL)
    for spine in axes.spines.values():
        spine.set_color(MUTED)
    axes.tick_params(colors=TEXT, labelsize=9)
    return figure, axes


def _finish(figure, size: tuple[int, int], texts: list[str]) -> Picture:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(figure)
    figure.tight_layout()
    buffer = io.BytesIO()
    canvas.print_png(buffer)
    return Picture(buffer.getvalue(), size[0], size[1], tuple(texts))


_OFFSETS = [(7, 5, "left", "bottom"), (7, -5, "left", "top"), (-7, 5, "right", "bottom"),
            (-7, -5, "right", "top"), (0, 9, "center", "bottom"), (0, -9, "center", "top")]


def _place_labels(figure, axes, points, xs, ys, highlight) -> list[str]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(figure).get_renderer()
    order = sorted(range(len(points)), key=lambda i: (points[i][0] != highlight, -points[i][3], points[i][0]))
    taken = []
    drawn = []
    for i in order:
        name, _, _, mentions = points[i]
        is_highlight = name == highlight
        for dx, dy, ha, va in _OFFSETS:
            label = axes.annotate(
                name, (xs[i], ys[i]), xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
                color=ACCENT if is_highlight else TEXT, fontsize=11 if is_highlight else 8.5,
                fontweight="bold" if is_highlight else "normal", zorder=4,
            )
            box = label.get_window_extent(renderer).expanded(1.05, 1.1)
            if all(not box.overlaps(other) for other in taken) and _inside(axes, box, renderer):
                taken.append(box)
                drawn.append(name)
                break
            label.remove()
    return drawn


def _inside(axes, box, renderer) -> bool:
    frame = axes.get_window_extent(renderer)
    return frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1


def _scale_bar(axes, mean_lat: float, squash: float) -> str:
    x0, x1 = axes.get_xlim()
    y0, y1 = axes.get_ylim()
    lon0 = x0 / squash
    width_km = haversine_km(mean_lat, lon0, mean_lat, x1 / squash)
    target = width_km / 5
    length = next((n for n in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500) if n >= target), 500)
    degrees = length / (111.32 * math.cos(math.radians(mean_lat))) * squash
    start_x = x0 + (x1 - x0) * 0.04
    bar_y = y0 + (y1 - y0) * 0.05
    axes.plot([start_x, start_x + degrees], [bar_y, bar_y], color=TEXT, linewidth=3, solid_capstyle="butt", zorder=5)
    text = f"{length} km"
    axes.text(start_x + degrees / 2, bar_y + (y1 - y0) * 0.015, text, color=TEXT, ha="center", va="bottom",
              fontsize=9, zorder=5)
    return text


# --------------------------------------------------------------------------- from the store


def day_of(yyyymmdd: int) -> date:
    return date(yyyymmdd // 10000, max(1, yyyymmdd // 100 % 100), max(1, yyyymmdd % 100))
