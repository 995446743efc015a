"""The after-action report's plots, drawn with matplotlib as SVG with its text kept as text (the
browser draws the Chinese labels with its own fonts; matplotlib lays them out with a CJK font
when it finds one, e.g. Debian's fonts-noto-cjk, and says so when it does not)."""

from __future__ import annotations

import io
import re
import warnings
from datetime import datetime, tzinfo
from functools import cache
from typing import Any

LEVEL_RANK = {None: 0, "IV": 1, "III": 2, "II": 3, "I": 4}
LEVEL_TICKS = ["平时 peacetime", "Ⅳ", "Ⅲ", "Ⅱ", "Ⅰ"]
COVERAGE_SHOWN = 30  # checkpoints in the coverage plot: the least staffed ones
NO_CJK = (
    "no CJK font found by matplotlib (install fonts-noto-cjk): the plots' Chinese labels are "
    "laid out with a Latin font's widths and drawn by the browser's fonts"
)


@cache
def cjk_font() -> str | None:
    """The name of a CJK font matplotlib knows (Noto Sans CJK SC, the simplified Chinese one,
    first), None when there is none."""
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist if "CJK" in f.name}
    for wanted in ("Noto Sans CJK SC", "Noto Sans CJK", "Noto Serif CJK SC", ""):
        found = sorted(n for n in names if n.startswith(wanted))
        if found:
            return found[0]
    return None


def figures(doc: dict[str, Any], tz: tzinfo | None) -> tuple[list[tuple[str, str, str]], str | None]:
    """(id, caption, inline SVG) of each plot, and a note when no CJK font was found."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    font = cjk_font()
    style: Any = {
        "svg.fonttype": "none",
        "svg.hashsalt": doc["episode"]["episode"],  # the same ids on every run
        "font.family": ["DejaVu Sans", *([font] if font else [])],
        "font.size": 9,
    }
    with plt.rc_context(style), warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Glyph .* missing from font")  # said once, in the note
        plots = [
            ("plot-levels", "响应级别 level over time", _levels(plt, doc, tz)),
            ("plot-hazards", "未解决隐患 open hazards over time", _hazards(plt, doc, tz)),
            ("plot-coverage", "卡口值守覆盖率 checkpoint staffing coverage", _coverage(plt, doc)),
        ]
    return plots, None if font else NO_CJK


def _svg(plt: Any, fig: Any) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buf.getvalue()
    return re.sub(r"^.*?(?=<svg)", "", text, flags=re.S)  # no XML prolog inside HTML


def _when(iso: str, tz: tzinfo | None) -> datetime:
    moment = datetime.fromisoformat(iso)
    return moment.astimezone(tz).replace(tzinfo=None) if tz else moment


def _time_axis(ax: Any) -> None:
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _levels(plt: Any, doc: dict[str, Any], tz: tzinfo | None) -> str:
    levels = doc["overview"]["levels"]
    xs = [_when(lv["at"], tz) for lv in levels]
    ys = [LEVEL_RANK.get(lv["level"], 0) for lv in levels]
    if not doc["episode"]["ended_at"]:
        xs.append(_when(doc["episode"]["until"], tz))
        ys.append(ys[-1] if ys else 0)
    fig, ax = plt.subplots(figsize=(8, 2.2))
    ax.step(xs, ys, where="post", color="#c0392b")
    ax.set_yticks(range(len(LEVEL_TICKS)), LEVEL_TICKS)
    ax.set_ylim(-0.3, 4.3)
    ax.set_title(f"响应级别 level over time: {doc['episode']['episode']}")
    _time_axis(ax)
    return _svg(plt, fig)


def _hazards(plt: Any, doc: dict[str, Any], tz: tzinfo | None) -> str:
    series = doc["hazards"]["open_over_time"]
    start, until = _when(doc["episode"]["started_at"], tz), _when(doc["episode"]["until"], tz)
    xs = [start, *(_when(at, tz) for at, _ in series), until]
    ys = [0, *(n for _, n in series), series[-1][1] if series else 0]
    fig, ax = plt.subplots(figsize=(8, 2.6))
    ax.step(xs, ys, where="post", color="#2c3e50")
    ax.set_ylabel("未解决 open")
    ax.set_title(f"未解决隐患 open hazards (reported {doc['hazards']['reported']})")
    _time_axis(ax)
    return _svg(plt, fig)


def _coverage(plt: Any, doc: dict[str, Any]) -> str:
    rows = [c for c in doc["staffing"]["checkpoints"] if c["coverage"] is not None]
    shown = sorted(rows, key=lambda c: (c["coverage"], c["checkpoint"]))[:COVERAGE_SHOWN]
    fig, ax = plt.subplots(figsize=(8, 0.6 + 0.22 * max(len(shown), 3)))
    if shown:
        ax.barh([c["checkpoint"] for c in shown], [100 * c["coverage"] for c in shown], color="#27ae60")
        ax.invert_yaxis()
        ax.set_xlim(0, 100)
        ax.set_xlabel("值守时间占比 % of the episode staffed")
        least = f", the {len(shown)} least staffed" if len(rows) > len(shown) else ""
        ax.set_title(f"卡口值守覆盖率 checkpoint coverage ({len(rows)} checkpoints{least})")
    else:
        ax.set_axis_off()
        ax.set_title("卡口值守覆盖率 checkpoint coverage")
        ax.text(0.5, 0.5, "本次无卡口值守 no checkpoint staffed in this episode", ha="center", va="center")
    return _svg(plt, fig)
