"""A world map drawn from the gazetteer alone, for the web UI: its larger cities as faint
dots trace the inhabited land (no coastline data, nothing fetched), and a marker shows a
place. Equirectangular, 720 x 360 units."""

from __future__ import annotations

from functools import lru_cache
from html import escape

from eventcoder.places.gazetteer import Gazetteer

WIDTH, HEIGHT = 720, 360
BACKDROP_POPULATION = 100_000  # about 4,500 cities


def _xy(lat: float, lon: float) -> tuple[float, float]:
    return (lon + 180.0) * WIDTH / 360.0, (90.0 - lat) * HEIGHT / 180.0


@lru_cache(maxsize=1)
def _backdrop(gazetteer: Gazetteer) -> str:
    dots = []
    for lat, lon in gazetteer.city_points(BACKDROP_POPULATION):
        x, y = _xy(lat, lon)
        dots.append(f"M{x:.1f} {y:.1f}h0")
    return (
        f'<path stroke="#9fb3c1" stroke-width="2.2" stroke-linecap="round" d="{" ".join(dots)}"/>'
    )


def world_map(gazetteer: Gazetteer, lat: float, lon: float, label: str = "") -> str:
    """The SVG document of the map with a marker at (``lat``, ``lon``)."""
    x, y = _xy(lat, lon)
    title = escape(label or f"{lat:.3f}, {lon:.3f}")
    # presentation attributes, not a <style>: the server's content security policy allows
    # no inline styles
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{title}">'
        f'<rect fill="#eef4f8" width="{WIDTH}" height="{HEIGHT}"/>'
        + '<g stroke="#dbe5ec" stroke-width="0.5" fill="none">'
        + "".join(f'<path d="M0 {gy}H{WIDTH}"/>' for gy in range(60, HEIGHT, 60))
        + "".join(f'<path d="M{gx} 0V{HEIGHT}"/>' for gx in range(60, WIDTH, 60))
        + "</g>"
        + _backdrop(gazetteer)
        + f'<circle fill="none" stroke="#0f766e" stroke-width="1.5" cx="{x:.1f}" cy="{y:.1f}" '
        'r="11"/>'
        f'<circle fill="#0f766e" stroke="#fff" stroke-width="2" cx="{x:.1f}" cy="{y:.1f}" '
        f'r="5"><title>{title}</title></circle>'
        "</svg>"
    )
