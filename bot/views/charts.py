"""The /stats picture: a 26-week activity heatmap over a 14-day forecast, as one PNG.

Drawn with matplotlib's object API (`Figure` + the Agg canvas), never pyplot: no global figure
state, no GUI backend, so it is safe to run in a worker thread off the event loop.
"""

from __future__ import annotations

import asyncio
import io
import math
import threading
from datetime import timedelta

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from bot.core.stats import FORECAST_DAYS, HEATMAP_WEEKS, StatsFigures
from bot.views.i18n import (
    _,
    ngettext,
    number,
    short_month,
    short_weekday,
    weekday_abbreviation,
)

WIDTH_IN, HEIGHT_IN, DPI = 12, 9, 100  # 1200 × 900 px: sharp on a phone, a modest upload
# A contributions-calendar palette: grey for no reviews, then four greens.
LEVEL_COLOURS = ["#ebedf0", "#9be9a8", "#40c463", "#30a14e", "#216e39"]
FUTURE_COLOUR = "#ffffff"
BAR_COLOUR = "#3b82f6"
TODAY_BAR_COLOUR = "#f59e0b"
TEXT_COLOUR = "#24292f"
WEEKDAY_ROWS = (0, 2, 4, 6)  # Monday, Wednesday, Friday and Sunday are labelled

# matplotlib keeps shared caches (fonts, text layout) that are not documented as thread-safe;
# one render at a time keeps them consistent while the event loop stays free.
_RENDER_LOCK = threading.Lock()


def level_edges(peak: int) -> list[int]:
    """Bin edges for the five colour levels: 0, then four equal-width bands up to `peak`."""
    step = max(1, math.ceil(peak / 4))
    return [0, 1, 1 + step, 1 + 2 * step, 1 + 3 * step, max(peak + 1, 2 + 3 * step)]


def _new_figure() -> Figure:
    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    return buffer.getvalue()


def _draw_empty(figure: Figure) -> None:
    ax = figure.add_subplot()
    ax.set_axis_off()
    ax.text(
        0.5,
        0.62,
        _("Your progress"),
        ha="center",
        va="center",
        fontsize=40,
        color=TEXT_COLOUR,
        fontweight="bold",
    )
    empty = _("No reviews yet — your activity will appear here")
    ax.text(0.5, 0.45, empty, ha="center", va="center", fontsize=24, color="#57606a")
    ax.text(
        0.5,
        0.33,
        _("Send /quiz to answer your first questions."),
        ha="center",
        va="center",
        fontsize=20,
        color="#57606a",
    )


def _draw_heatmap(ax: Axes, s: StatsFigures) -> None:
    grid = np.full((7, HEATMAP_WEEKS), np.nan)
    for offset, count in enumerate(s.daily_counts):
        week, weekday = divmod(offset, 7)
        grid[weekday, week] = count
    peak = max(s.daily_counts, default=0)
    edges = level_edges(peak)
    cmap = ListedColormap(LEVEL_COLOURS).with_extremes(bad=FUTURE_COLOUR)  # bad: days to come
    norm = BoundaryNorm(edges, cmap.N)
    ax.pcolormesh(np.ma.masked_invalid(grid), cmap=cmap, norm=norm, edgecolors="white", linewidth=3)
    ax.set_xlim(0, HEATMAP_WEEKS)
    ax.set_ylim(7, 0)  # Monday on top
    ax.set_aspect("equal")
    ax.set_yticks(
        [d + 0.5 for d in WEEKDAY_ROWS],
        [weekday_abbreviation(d) for d in WEEKDAY_ROWS],
        fontsize=15,
    )
    # A month name above the first column in which that month starts.
    ticks, labels, last_month = [], [], None
    for week in range(HEATMAP_WEEKS):
        day = s.heatmap_start + timedelta(weeks=week)
        if day.month != last_month:
            ticks.append(week + 0.5)
            labels.append(short_month(day))
            last_month = day.month
    ax.set_xticks(ticks, labels, fontsize=15)
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_title(
        ngettext(
            "Activity — %(n)s review in the last %(weeks)s weeks",
            "Activity — %(n)s reviews in the last %(weeks)s weeks",
            s.heatmap_reviews,
        )
        % {"n": number(s.heatmap_reviews), "weeks": number(HEATMAP_WEEKS)},
        fontsize=22,
        fontweight="bold",
        color=TEXT_COLOUR,
        pad=40,
    )
    ax.set_xlabel(_("Week"), fontsize=15, color="#57606a")
    ax.set_ylabel(_("Day of week"), fontsize=15, color="#57606a")
    # "Less ▢▢▢▢▢ More" legend under the grid, right-aligned.
    legend_y = 7.9
    ax.text(
        HEATMAP_WEEKS - 6.6,
        legend_y + 0.45,
        _("Less"),
        ha="right",
        va="center",
        fontsize=14,
        clip_on=False,
    )
    for i, colour in enumerate(LEVEL_COLOURS):
        ax.add_patch(
            Rectangle(
                (HEATMAP_WEEKS - 6.3 + i, legend_y), 0.9, 0.9, facecolor=colour, clip_on=False
            )
        )
    ax.text(
        HEATMAP_WEEKS - 1.1,
        legend_y + 0.45,
        _("More"),
        ha="left",
        va="center",
        fontsize=14,
        clip_on=False,
    )


def _draw_forecast(ax: Axes, s: StatsFigures) -> None:
    days = [s.today + timedelta(days=i) for i in range(FORECAST_DAYS)]
    labels = [_("Today")] + [f"{short_weekday(d)}\n{d.day}" for d in days[1:]]
    colours = [TODAY_BAR_COLOUR] + [BAR_COLOUR] * (FORECAST_DAYS - 1)
    bars = ax.bar(range(FORECAST_DAYS), s.forecast, color=colours, width=0.7)
    ax.bar_label(bars, [str(v) if v else "" for v in s.forecast], fontsize=14, padding=3)
    ax.set_xticks(range(FORECAST_DAYS), labels, fontsize=13)
    ax.tick_params(axis="y", labelsize=13)
    ax.set_ylim(0, max(max(s.forecast) * 1.2, 1))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(
        ngettext(
            "Due in the next %(days)s days — %(n)s question",
            "Due in the next %(days)s days — %(n)s questions",
            sum(s.forecast),
        )
        % {"n": number(sum(s.forecast)), "days": number(FORECAST_DAYS)},
        fontsize=22,
        fontweight="bold",
        color=TEXT_COLOUR,
        pad=14,
    )
    ax.set_xlabel(_("Day (overdue questions count as today)"), fontsize=15, color="#57606a")
    ax.set_ylabel(_("Questions due"), fontsize=15, color="#57606a")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="y", color="#d0d7de", linewidth=0.8)
    ax.set_axisbelow(True)


def draw(s: StatsFigures) -> bytes:
    """The /stats PNG for these figures (a friendly picture when there is nothing to show)."""
    with _RENDER_LOCK:
        figure = _new_figure()
        if s.is_empty:
            _draw_empty(figure)
        else:
            top, bottom = figure.subplots(2, 1, gridspec_kw={"height_ratios": [1.1, 1]})
            _draw_heatmap(top, s)
            _draw_forecast(bottom, s)
            figure.subplots_adjust(left=0.09, right=0.97, top=0.88, bottom=0.09, hspace=0.45)
        return _png(figure)


async def render_png(s: StatsFigures) -> bytes:
    """`draw` in a worker thread, so the bot keeps answering others while it renders."""
    return await asyncio.to_thread(draw, s)
