"""Charts drawn on the server as inline SVG: vertical bars (grouped or stacked), lines, horizontal
bars and a scatter "map" of units by longitude and latitude.

No chart library and no CDN: the SVG is complete without JavaScript (each bar or point is a link to
the list behind it, where one exists). ``static/dashboards/charts.js`` adds the tooltips (each
shape's ``data-tip``), legend buttons that hide a series (shapes carry ``data-series``) and the
"show as table" toggle. Under the CSP there is no ``style=`` attribute: colours and sizes are SVG
presentation attributes, the rest is in ``charts.css``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from anjian.dashboards.results import Chart, Point, Series, lat_scale, map_extent

WIDTH = 560  # the desktop drawing (half the page at 1280 px)
PHONE_WIDTH = 340  # the phone drawing: the same chart, its text larger on a 375 px screen
FONT = 13
SMALL = 11
GRID = "#dee2e6"
AXIS = "#6c757d"
TEXT = "#212529"


def nice_max(value: float) -> int:
    """A round top for the value axis: four whole ticks of 1, 2, 2.5 or 5 × 10ⁿ each."""
    if value <= 4:
        return 4
    raw = value / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if step >= raw and step == int(step):
            return int(step) * 4
    return math.ceil(value)  # pragma: no cover


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _shape(tag: str, attrs: dict[str, Any], *, tip: str, series: str, link: str = "") -> str:
    """One shape with its tooltip and series; wrapped in a link when there is a list behind it."""
    parts = " ".join(
        f'{k}="{escape(_num(v) if isinstance(v, float) else v)}"' for k, v in attrs.items()
    )
    shape = (
        f'<{tag} {parts} class="chart-shape" data-series="{escape(series)}" '
        f'data-tip="{escape(tip)}"><title>{escape(tip)}</title></{tag}>'
    )
    if link:
        return f'<a href="{escape(link)}" class="chart-link">{shape}</a>'
    return shape


def _text(x: float, y: float, text: str, *, anchor: str = "middle", size: int = FONT,
          fill: str = TEXT, extra: str = "") -> str:  # fmt: skip
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}" font-size="{size}" '
        f'fill="{fill}"{extra}>{escape(text)}</text>'
    )


def _svg(chart: Chart, width: int, height: float, body: Iterable[str]) -> SafeString:
    title_id = f"chart-{chart.key}-{width}-title"
    return mark_safe(  # noqa: S308 - every text and attribute above is escaped
        f'<svg class="chart-svg" viewBox="0 0 {width} {_num(height)}" role="group" '
        f'aria-labelledby="{title_id}" data-chart-svg="{escape(chart.key)}" '
        f'preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{title_id}">{escape(chart.title)}</title>{"".join(body)}</svg>'
    )


def _value_axis(top: int, x0: float, x1: float, y0: float, y1: float) -> list[str]:
    """Horizontal grid lines and their values (``y0`` the bottom, ``y1`` the top)."""
    out = []
    for i in range(5):
        value = top * i / 4
        y = y0 - (y0 - y1) * i / 4
        out.append(
            f'<line x1="{_num(x0)}" x2="{_num(x1)}" y1="{_num(y)}" y2="{_num(y)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        out.append(_text(x0 - 6, y + 4, _num(value), anchor="end", size=SMALL, fill=AXIS))
    return out


def _category_labels(labels: list[str], centres: list[float], y: float) -> list[str]:
    spacing = (centres[1] - centres[0]) if len(centres) > 1 else 100
    crowded = any(len(label) * SMALL > spacing for label in labels)
    out = []
    for label, x in zip(labels, centres, strict=True):
        short = label if len(label) <= 10 else label[:9] + "…"
        if crowded:
            out.append(
                _text(x, y, short, anchor="end", size=SMALL,
                      extra=f' transform="rotate(-35 {_num(x)} {_num(y)})"')
            )  # fmt: skip
        else:
            out.append(_text(x, y + 4, short, size=SMALL))
    return out


def _link(series: Series, i: int) -> str:
    return series.links[i] if i < len(series.links) else ""


def _tip(category: str, series: Series, value: Any, many: bool) -> str:
    return f"{category} · {series.name}：{value}" if many else f"{category}：{value}"


def bars(chart: Chart, width: int = WIDTH) -> SafeString:
    """Vertical bars, side by side per category (``bar``) or stacked (``stacked``)."""
    left, right, top_pad, bottom = 44, 10, 14, 70
    height = 300
    x0, x1, y0, y1 = left, width - right, height - bottom, top_pad
    n = max(len(chart.categories), 1)
    stacked = chart.kind == "stacked"
    if stacked:
        peak = max((sum(s.values[i] for s in chart.series) for i in range(n)), default=0)
    else:
        peak = max((v for s in chart.series for v in s.values), default=0)
    top = nice_max(peak)
    body = _value_axis(top, x0, x1, y0, y1)
    group = (x1 - x0) / n
    many = len(chart.series) > 1
    centres = []
    for i, category in enumerate(chart.categories):
        gx = x0 + group * i
        centres.append(gx + group / 2)
        inner = group * 0.78
        if stacked:
            base = y0
            for s in chart.series:
                v = s.values[i]
                h = (y0 - y1) * v / top if top else 0
                if v:
                    body.append(
                        _shape("rect", {"x": gx + (group - inner) / 2, "y": base - h,
                                        "width": inner, "height": h, "fill": s.colour},
                               tip=_tip(category, s, v, True), series=s.key, link=_link(s, i))
                    )  # fmt: skip
                base -= h
            continue
        bar_w = inner / max(len(chart.series), 1)
        for j, s in enumerate(chart.series):
            v = s.values[i]
            h = (y0 - y1) * v / top if top else 0
            colour = s.colours[i] if i < len(s.colours) else s.colour
            bx = gx + (group - inner) / 2 + bar_w * j
            body.append(
                _shape("rect", {"x": bx + 1, "y": y0 - h, "width": max(bar_w - 2, 1),
                                "height": max(h, 0.0), "fill": colour},
                       tip=_tip(category, s, v, many), series=s.key, link=_link(s, i))
            )  # fmt: skip
            if v and bar_w >= 18:
                body.append(_text(bx + bar_w / 2, y0 - h - 3, str(v), size=SMALL, fill=AXIS))
    body.append(f'<line x1="{x0}" x2="{x1}" y1="{y0}" y2="{y0}" stroke="{AXIS}" stroke-width="1"/>')
    body += _category_labels(chart.categories, centres, y0 + 14)
    return _svg(chart, width, height, body)


def line(chart: Chart, width: int = WIDTH) -> SafeString:
    """A line per series over the categories (months)."""
    left, right, top_pad, bottom = 44, 14, 14, 62
    height = 300
    x0, x1, y0, y1 = left, width - right, height - bottom, top_pad
    n = max(len(chart.categories), 1)
    top = nice_max(max((v for s in chart.series for v in s.values), default=0))
    body = _value_axis(top, x0, x1, y0, y1)
    step = (x1 - x0) / n
    xs = [x0 + step * (i + 0.5) for i in range(n)]
    many = len(chart.series) > 1
    for s in chart.series:
        ys = [y0 - (y0 - y1) * v / top for v in s.values]
        path = " ".join(f"{_num(x)},{_num(y)}" for x, y in zip(xs, ys, strict=True))
        body.append(
            f'<polyline points="{path}" fill="none" stroke="{s.colour}" stroke-width="2.5" '
            f'class="chart-line" data-series="{escape(s.key)}"/>'
        )
        for i, (x, y) in enumerate(zip(xs, ys, strict=True)):
            body.append(
                _shape("circle", {"cx": x, "cy": y, "r": 4.5, "fill": s.colour,
                                  "stroke": "#fff", "stroke-width": 1.5},
                       tip=_tip(chart.categories[i], s, s.values[i], many), series=s.key,
                       link=_link(s, i))
            )  # fmt: skip
    body.append(f'<line x1="{x0}" x2="{x1}" y1="{y0}" y2="{y0}" stroke="{AXIS}" stroke-width="1"/>')
    body += _category_labels(chart.categories, xs, y0 + 14)
    return _svg(chart, width, height, body)


def hbars(chart: Chart, width: int = WIDTH) -> SafeString:
    """A horizontal bar per category (breakdowns: long names read well on a phone)."""
    row, top_pad, right = 26, 8, 40
    label_w = min(150, width * 0.34)
    chars = int(label_w // FONT)
    n = len(chart.categories)
    height = top_pad * 2 + max(n, 1) * row
    x0, x1 = label_w, width - right
    s = chart.series[0]
    peak = max(s.values, default=0) or 1
    body = []
    for i, category in enumerate(chart.categories):
        y = top_pad + i * row
        v = s.values[i]
        w = (x1 - x0) * v / peak
        short = category if len(category) <= chars else category[: chars - 1] + "…"
        body.append(_text(x0 - 8, y + row / 2 + 4, short, anchor="end", size=FONT))
        body.append(
            _shape("rect", {"x": x0, "y": y + 4, "width": max(w, 1.0), "height": row - 8,
                            "fill": s.colour},
                   tip=_tip(category, s, v, False), series=s.key, link=_link(s, i))
        )  # fmt: skip
        body.append(_text(x0 + w + 6, y + row / 2 + 4, str(v), anchor="start", size=FONT))
    return _svg(chart, width, height, body)


def _radius(point: Point) -> float:
    return min(5 + 2.5 * math.sqrt(point.value), 18)


def scatter_map(chart: Chart, width: int = WIDTH) -> SafeString:
    """Units placed by longitude and latitude, coloured by grade, sized by open hazards."""
    pad = 24
    lon0, lon1, lat0, lat1 = map_extent(chart.points)
    scale = lat_scale((lat0 + lat1) / 2)
    span_x = (lon1 - lon0) * scale
    span_y = lat1 - lat0
    inner_w = width - 2 * pad
    height = min(max(inner_w * span_y / span_x if span_x else inner_w, 240), 520) + 2 * pad
    inner_h = height - 2 * pad

    def place(p: Point) -> tuple[float, float]:
        x = pad + (p.x - lon0) / (lon1 - lon0) * inner_w
        y = pad + (lat1 - p.y) / (lat1 - lat0) * inner_h
        return x, y

    body = [
        f'<rect x="{pad}" y="{pad}" width="{_num(inner_w)}" height="{_num(inner_h)}" '
        f'fill="#f8f9fa" stroke="{GRID}"/>'
    ]
    for i in range(1, 4):
        gx = pad + inner_w * i / 4
        gy = pad + inner_h * i / 4
        body.append(f'<line x1="{_num(gx)}" x2="{_num(gx)}" y1="{pad}" '
                    f'y2="{_num(pad + inner_h)}" stroke="{GRID}"/>')  # fmt: skip
        body.append(f'<line x1="{pad}" x2="{_num(pad + inner_w)}" y1="{_num(gy)}" '
                    f'y2="{_num(gy)}" stroke="{GRID}"/>')  # fmt: skip
    body.append(_text(pad, pad - 8, f"{lat1:.3f}°N", anchor="start", size=SMALL, fill=AXIS))
    body.append(
        _text(width - pad, height - 8, f"{lon1:.3f}°E", anchor="end", size=SMALL, fill=AXIS)
    )
    body.append(_text(pad, height - 8, f"{lon0:.3f}°E", anchor="start", size=SMALL, fill=AXIS))
    hazards = _("Open hazards")
    for p in sorted(chart.points, key=lambda p: (-p.value, p.name)):
        x, y = place(p)
        series = next((s for s in chart.series if s.key == p.series), None)
        grade = series.name if series else ""
        tip = f"{p.name}（{p.place}）· {grade} · {hazards}：{p.value}"
        body.append(
            _shape("circle", {"cx": x, "cy": y, "r": _radius(p), "fill": p.colour,
                              "fill-opacity": 0.85, "stroke": "#212529", "stroke-width": 1},
                   tip=tip, series=p.series, link=p.link)
        )  # fmt: skip
    return _svg(chart, width, height, body)


RENDERERS = {"bar": bars, "stacked": bars, "line": line, "hbar": hbars, "map": scatter_map}


def render_chart(chart: Chart, width: int = WIDTH) -> SafeString:
    return RENDERERS[chart.kind](chart, width)


def swatch(colour: str) -> SafeString:
    """A small coloured square for a legend button (SVG: no style attribute needed)."""
    return format_html(
        '<svg class="chart-swatch" width="12" height="12" viewBox="0 0 12 12" aria-hidden="true">'
        '<rect width="12" height="12" rx="2" fill="{}"/></svg>',
        colour,
    )
