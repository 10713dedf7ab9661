"""Charts of a report's PDF, drawn server-side with matplotlib (ECharts runs in the browser
only). Text is set in Noto Sans CJK (Debian's fonts-noto-cjk) and written as paths into SVG,
so WeasyPrint needs no font for it and the PDF looks the same on every machine.
"""

import base64
import io
import threading
from pathlib import Path

from kefu.reports.kit import ChartResult, TableResult

FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.otf",
)
COLOURS = ["#206bc4", "#2fb344", "#f76707", "#d63939", "#ae3ec9", "#0ca678", "#4299e1", "#f59f00"]
_lock = threading.Lock()  # pyplot's state is global: one figure at a time per process
_ready = False


def _setup():
    """matplotlib is imported when a PDF is drawn, not at start (numpy is heavy for a page view)."""
    global _ready
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager

    if not _ready:
        for path in FONT_FILES:
            if Path(path).exists():
                font_manager.fontManager.addfont(path)
        matplotlib.rcParams.update(
            {
                "font.family": ["Noto Sans CJK SC", "Noto Sans CJK JP", "DejaVu Sans"],
                "svg.fonttype": "path",
                "axes.unicode_minus": False,
                "font.size": 9,
            }
        )
        _ready = True
    import matplotlib.pyplot as plt

    return plt


def _svg(fig, plt) -> str:
    """The chart as a data: URL of an SVG document: each chart its own document, so the ids
    matplotlib gives its glyphs and paths never clash between two charts of one PDF."""
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode()


def trend_svg(chart: ChartResult) -> str:
    with _lock:
        plt = _setup()
        fig, ax = plt.subplots(figsize=(7.2, 2.6))
        for i, (name, values) in enumerate(chart.series):
            xs = [x for x, v in enumerate(values) if v is not None]
            ys = [v for v in values if v is not None]
            ax.plot(xs, ys, marker="o", markersize=3, label=name, color=COLOURS[i % len(COLOURS)])
        ax.set_xticks(range(len(chart.categories)), chart.categories, rotation=30, ha="right")
        ax.set_title(str(chart.chart.title))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="best")
        return _svg(fig, plt)


def table_svg(result: TableResult) -> str:
    """A bar chart (comparisons) or a pie (parts of a whole) of a table's first number column."""
    labels = [str(r[0]) for r in result.rows]
    values = [float(r[1] or 0) for r in result.rows]
    with _lock:
        plt = _setup()
        if result.table.chart == "pie" and sum(values) > 0:
            fig, ax = plt.subplots(figsize=(4.0, 2.8))
            ax.pie(values, labels=labels, autopct="%1.0f%%", colors=COLOURS[: len(values)], textprops={"fontsize": 8})
            ax.axis("equal")
        else:
            fig, ax = plt.subplots(figsize=(7.2, 2.6))
            ax.bar(labels, values, color=COLOURS[0])
            ax.tick_params(axis="x", labelrotation=30)
            ax.grid(axis="y", alpha=0.3)
        ax.set_title(str(result.table.title))
        return _svg(fig, plt)
