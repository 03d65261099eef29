"""Glyphs for the synthetic regions: small drawings of objects (private plumbing).

A glyph is registered in the :data:`GLYPHS` catalogue and drawn by ``fn(draw, x, y, s, rng, outline)``:
``(x, y)`` is the bottom centre in pixels, ``s`` the height in pixels, ``outline`` a colour
or None (the test region's art style draws outlines). It returns its box
``(x0, y0, x1, y1)`` in pixels. Every person role uses the same ``person`` glyph: the role
(Shopkeeper, Farmer, ...) can only be told from the scene around it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PIL import ImageDraw

from corpora.catalogue import Catalogue

Box = tuple[float, float, float, float]
GlyphFn = Callable[
    [ImageDraw.ImageDraw, float, float, float, np.random.Generator, "tuple | None"], Box
]

#: every glyph, by name (``GLYPHS.create(name, draw, x, y, s, rng, outline) -> box``)
GLYPHS: Catalogue[Box] = Catalogue("glyph", order="registration")


def _ordered(xy):
    x0, y0, x1, y1 = xy
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


class SafeDraw(ImageDraw.ImageDraw):
    """``ImageDraw`` whose box shapes accept corners in any order (tiny images round badly)."""

    def rectangle(self, xy, *a, **k):
        return super().rectangle(_ordered(xy), *a, **k)

    def ellipse(self, xy, *a, **k):
        return super().ellipse(_ordered(xy), *a, **k)

    def rounded_rectangle(self, xy, radius=0, **k):
        x0, y0, x1, y1 = _ordered(xy)
        # PIL's outline pass needs 2 * radius + 2 <= side: clamp the radius on tiny images,
        # and fall back to a plain rectangle when no rounding fits.
        radius = int(min(radius, (x1 - x0 - 2) / 2, (y1 - y0 - 2) / 2))
        if radius < 1:
            return super().rectangle((x0, y0, x1, y1), **k)
        return super().rounded_rectangle((x0, y0, x1, y1), radius=radius, **k)

    def pieslice(self, xy, *a, **k):
        return super().pieslice(_ordered(xy), *a, **k)

    def arc(self, xy, *a, **k):
        return super().arc(_ordered(xy), *a, **k)


def _jit(
    rng: np.random.Generator, rgb: tuple[int, int, int], amount: int = 20
) -> tuple[int, int, int]:
    return tuple(int(np.clip(c + rng.integers(-amount, amount + 1), 0, 255)) for c in rgb)  # type: ignore[return-value]


def _ell(d, box, fill, outline):
    d.ellipse(box, fill=fill, outline=outline)


def _rect(d, box, fill, outline):
    d.rectangle(box, fill=fill, outline=outline)


@GLYPHS.register("person")
def person(d, x, y, s, rng, outline):
    w = s * 0.32
    head = s * 0.26
    body = (80 + rng.integers(0, 150), 40 + rng.integers(0, 150), 40 + rng.integers(0, 180))
    _rect(d, (x - w / 2, y - s * 0.72, x + w / 2, y - s * 0.25), body, outline)  # torso
    _rect(d, (x - w / 2, y - s * 0.25, x - w / 8, y), (40, 40, 70), outline)  # legs
    _rect(d, (x + w / 8, y - s * 0.25, x + w / 2, y), (40, 40, 70), outline)
    _ell(
        d,
        (x - head / 2, y - s, x + head / 2, y - s + head),
        _jit(rng, (230, 185, 150), 25),
        outline,
    )
    return (x - w / 2, y - s, x + w / 2, y)


@GLYPHS.register("helmet")
def helmet(d, x, y, s, rng, outline):
    # (x, y) is the top of a head of height s.
    d.pieslice(
        (x - s * 0.6, y - s * 0.15, x + s * 0.6, y + s * 0.9),
        180,
        360,
        fill=_jit(rng, (230, 40, 40)),
        outline=outline,
    )
    return (x - s * 0.6, y - s * 0.15, x + s * 0.6, y + s * 0.38)


@GLYPHS.register("horse")
def horse(d, x, y, s, rng, outline):
    w = s * 1.5
    col = _jit(rng, (130, 80, 40), 30)
    _ell(d, (x - w / 2, y - s * 0.8, x + w / 2 - s * 0.2, y - s * 0.35), col, outline)  # body
    for fx in (-0.4, -0.2, 0.1, 0.3):
        _rect(d, (x + fx * w - 1, y - s * 0.45, x + fx * w + 1, y), col, outline)
    _rect(
        d, (x + w / 2 - s * 0.4, y - s * 1.0, x + w / 2 - s * 0.2, y - s * 0.6), col, outline
    )  # neck
    _ell(d, (x + w / 2 - s * 0.45, y - s * 1.05, x + w / 2, y - s * 0.85), col, outline)  # head
    return (x - w / 2, y - s * 1.05, x + w / 2, y)


@GLYPHS.register("saddle")
def saddle(d, x, y, s, rng, outline):
    # (x, y) is the horse's bottom centre, s its height.
    box = (x - s * 0.3, y - s * 0.9, x + s * 0.1, y - s * 0.72)
    _rect(d, box, _jit(rng, (120, 20, 30)), outline)
    return box


@GLYPHS.register("tree")
def tree(d, x, y, s, rng, outline):
    _rect(d, (x - s * 0.07, y - s * 0.45, x + s * 0.07, y), (100, 65, 30), outline)
    _ell(d, (x - s * 0.3, y - s, x + s * 0.3, y - s * 0.35), _jit(rng, (40, 140, 50), 30), outline)
    return (x - s * 0.3, y - s, x + s * 0.3, y)


@GLYPHS.register("car")
def car(d, x, y, s, rng, outline):
    w = s * 2.0
    col = tuple(int(c) for c in rng.integers(30, 230, 3))
    _rect(d, (x - w / 2, y - s * 0.75, x + w / 2, y - s * 0.2), col, outline)
    _rect(d, (x - w / 4, y - s, x + w / 4, y - s * 0.7), col, outline)
    _rect(d, (x - w / 4 + 1, y - s * 0.95, x + w / 4 - 1, y - s * 0.75), (180, 220, 240), None)
    for fx in (-0.3, 0.3):
        _ell(d, (x + fx * w - s * 0.2, y - s * 0.4, x + fx * w + s * 0.2, y), (20, 20, 20), outline)
    return (x - w / 2, y - s, x + w / 2, y)


@GLYPHS.register("bus")
def bus(d, x, y, s, rng, outline):
    w = s * 2.6
    _rect(d, (x - w / 2, y - s, x + w / 2, y - s * 0.2), _jit(rng, (235, 190, 30)), outline)
    for i in range(4):
        x0 = x - w / 2 + w * (0.08 + i * 0.23)
        _rect(d, (x0, y - s * 0.9, x0 + w * 0.15, y - s * 0.6), (170, 210, 235), None)
    for fx in (-0.33, 0.33):
        _ell(
            d,
            (x + fx * w - s * 0.18, y - s * 0.36, x + fx * w + s * 0.18, y),
            (20, 20, 20),
            outline,
        )
    return (x - w / 2, y - s, x + w / 2, y)


@GLYPHS.register("traffic light")
def traffic_light(d, x, y, s, rng, outline):
    _rect(d, (x - 1, y - s * 0.55, x + 1, y), (60, 60, 60), None)
    _rect(d, (x - s * 0.13, y - s, x + s * 0.13, y - s * 0.5), (30, 30, 30), outline)
    for i, col in enumerate(((230, 30, 30), (240, 200, 20), (30, 200, 60))):
        cy = y - s * (0.92 - i * 0.16)
        _ell(d, (x - s * 0.07, cy - s * 0.06, x + s * 0.07, cy + s * 0.06), col, None)
    return (x - s * 0.13, y - s, x + s * 0.13, y)


@GLYPHS.register("bicycle")
def bicycle(d, x, y, s, rng, outline):
    r = s * 0.3
    col = _jit(rng, (40, 90, 200), 40)
    for fx in (-0.45, 0.45):
        d.ellipse(
            (x + fx * s - r, y - 2 * r, x + fx * s + r, y), outline=outline or (20, 20, 20), width=1
        )
    d.line((x - 0.45 * s, y - r, x, y - 2.2 * r, x + 0.45 * s, y - r), fill=col, width=2)
    d.line((x, y - 2.2 * r, x - 0.1 * s, y - r), fill=col, width=2)
    return (x - 0.45 * s - r, y - 2.2 * r, x + 0.45 * s + r, y)


@GLYPHS.register("dog")
def dog(d, x, y, s, rng, outline):
    col = _jit(rng, (150, 100, 50) if rng.random() < 0.6 else (40, 35, 30), 25)
    w = s * 1.3
    _ell(d, (x - w / 2, y - s * 0.75, x + w / 3, y - s * 0.3), col, outline)
    for fx in (-0.35, 0.15):
        _rect(d, (x + fx * w - 1, y - s * 0.4, x + fx * w + 1, y), col, outline)
    _ell(d, (x + w / 4, y - s, x + w / 2, y - s * 0.55), col, outline)
    d.line((x - w / 2, y - s * 0.6, x - w / 2 - s * 0.15, y - s * 0.9), fill=col, width=2)
    return (x - w / 2 - s * 0.15, y - s, x + w / 2, y)


@GLYPHS.register("cat")
def cat(d, x, y, s, rng, outline):
    col = _jit(rng, (120, 120, 120) if rng.random() < 0.5 else (220, 140, 60), 25)
    _ell(d, (x - s * 0.35, y - s * 0.6, x + s * 0.25, y), col, outline)
    _ell(d, (x + s * 0.05, y - s * 0.95, x + s * 0.4, y - s * 0.55), col, outline)
    d.polygon(
        [(x + s * 0.08, y - s * 0.8), (x + s * 0.12, y - s), (x + s * 0.2, y - s * 0.88)], fill=col
    )
    d.polygon(
        [(x + s * 0.25, y - s * 0.88), (x + s * 0.33, y - s), (x + s * 0.38, y - s * 0.8)], fill=col
    )
    return (x - s * 0.35, y - s, x + s * 0.4, y)


@GLYPHS.register("fruit")
def fruit(d, x, y, s, rng, outline):
    col = ((220, 30, 30), (250, 150, 20), (240, 220, 40))[int(rng.integers(0, 3))]
    _ell(d, (x - s / 2, y - s, x + s / 2, y), _jit(rng, col), outline)
    _rect(d, (x - 0.5, y - s - 2, x + 0.5, y - s), (60, 120, 30), None)
    return (x - s / 2, y - s - 2, x + s / 2, y)


@GLYPHS.register("vegetable")
def vegetable(d, x, y, s, rng, outline):
    _ell(d, (x - s * 0.25, y - s, x + s * 0.25, y), _jit(rng, (60, 160, 40), 30), outline)
    return (x - s * 0.25, y - s, x + s * 0.25, y)


@GLYPHS.register("bread")
def bread(d, x, y, s, rng, outline):
    d.rounded_rectangle(
        (x - s * 0.7, y - s * 0.6, x + s * 0.7, y),
        radius=max(1, s * 0.25),
        fill=_jit(rng, (210, 160, 90)),
        outline=outline,
    )
    return (x - s * 0.7, y - s * 0.6, x + s * 0.7, y)


@GLYPHS.register("table")
def table(d, x, y, s, rng, outline):
    w = s * 1.8
    col = _jit(rng, (140, 90, 50), 25)
    _rect(d, (x - w / 2, y - s, x + w / 2, y - s * 0.85), col, outline)
    for fx in (-0.45, 0.45):
        _rect(d, (x + fx * w - 1, y - s * 0.85, x + fx * w + 1, y), col, outline)
    return (x - w / 2, y - s, x + w / 2, y)


@GLYPHS.register("chair")
def chair(d, x, y, s, rng, outline):
    col = _jit(rng, (110, 70, 40), 25)
    _rect(d, (x - s * 0.3, y - s, x - s * 0.2, y), col, outline)
    _rect(d, (x - s * 0.3, y - s * 0.5, x + s * 0.3, y - s * 0.4), col, outline)
    _rect(d, (x + s * 0.2, y - s * 0.5, x + s * 0.3, y), col, outline)
    return (x - s * 0.3, y - s, x + s * 0.3, y)


@GLYPHS.register("plate")
def plate(d, x, y, s, rng, outline):
    _ell(d, (x - s * 0.8, y - s * 0.4, x + s * 0.8, y), (245, 245, 245), outline or (180, 180, 180))
    return (x - s * 0.8, y - s * 0.4, x + s * 0.8, y)


@GLYPHS.register("cup")
def cup(d, x, y, s, rng, outline):
    col = _jit(rng, (240, 240, 240), 15)
    _rect(d, (x - s * 0.3, y - s, x + s * 0.3, y), col, outline or (120, 120, 120))
    d.arc((x + s * 0.15, y - s * 0.8, x + s * 0.55, y - s * 0.3), 270, 90, fill=(120, 120, 120))
    return (x - s * 0.3, y - s, x + s * 0.55, y)


@GLYPHS.register("boat")
def boat(d, x, y, s, rng, outline):
    w = s * 1.4
    d.polygon(
        [(x - w / 2, y - s * 0.3), (x + w / 2, y - s * 0.3), (x + w / 3, y), (x - w / 3, y)],
        fill=_jit(rng, (120, 70, 40)),
        outline=outline,
    )
    d.polygon(
        [(x, y - s), (x, y - s * 0.35), (x + w / 3, y - s * 0.35)],
        fill=(250, 250, 250),
        outline=outline,
    )
    return (x - w / 2, y - s, x + w / 2, y)


@GLYPHS.register("umbrella")
def umbrella(d, x, y, s, rng, outline):
    col = tuple(int(c) for c in rng.integers(60, 255, 3))
    d.pieslice((x - s * 0.5, y - s, x + s * 0.5, y - s * 0.2), 180, 360, fill=col, outline=outline)
    _rect(d, (x - 0.5, y - s * 0.6, x + 0.5, y), (80, 80, 80), None)
    return (x - s * 0.5, y - s, x + s * 0.5, y)


@GLYPHS.register("sheep")
def sheep(d, x, y, s, rng, outline):
    _ell(
        d,
        (x - s * 0.6, y - s * 0.85, x + s * 0.4, y - s * 0.25),
        _jit(rng, (240, 240, 235), 10),
        outline or (200, 200, 200),
    )
    _ell(d, (x + s * 0.3, y - s, x + s * 0.65, y - s * 0.6), (50, 45, 45), outline)
    for fx in (-0.35, 0.15):
        _rect(d, (x + fx * s - 1, y - s * 0.3, x + fx * s + 1, y), (50, 45, 45), None)
    return (x - s * 0.6, y - s, x + s * 0.65, y)


@GLYPHS.register("fence")
def fence(d, x, y, s, rng, outline):
    w = s * 2.5
    col = _jit(rng, (170, 130, 90), 20)
    for i in range(5):
        px = x - w / 2 + i * w / 4
        _rect(d, (px - 1, y - s, px + 1, y), col, outline)
    for fy in (0.75, 0.4):
        _rect(d, (x - w / 2, y - s * fy - 1, x + w / 2, y - s * fy + 1), col, None)
    return (x - w / 2 - 1, y - s, x + w / 2 + 1, y)


@GLYPHS.register("tractor")
def tractor(d, x, y, s, rng, outline):
    col = _jit(rng, (200, 30, 30) if rng.random() < 0.5 else (40, 140, 40), 20)
    _rect(d, (x - s * 0.7, y - s * 0.7, x + s * 0.7, y - s * 0.3), col, outline)
    _rect(d, (x - s * 0.6, y - s, x - s * 0.1, y - s * 0.7), col, outline)
    _ell(d, (x - s * 0.75, y - s * 0.6, x - s * 0.15, y), (25, 25, 25), outline)
    _ell(d, (x + s * 0.35, y - s * 0.35, x + s * 0.7, y), (25, 25, 25), outline)
    return (x - s * 0.75, y - s, x + s * 0.7, y)


@GLYPHS.register("building")
def building(d, x, y, s, rng, outline):
    w = s * 0.7
    col = _jit(rng, (150, 90, 70) if rng.random() < 0.5 else (160, 160, 170), 25)
    _rect(d, (x - w / 2, y - s, x + w / 2, y), col, outline)
    for r in range(4):
        for c in range(2):
            wx = x - w / 2 + w * (0.2 + 0.45 * c)
            wy = y - s + s * (0.08 + 0.22 * r)
            _rect(d, (wx, wy, wx + w * 0.2, wy + s * 0.1), (240, 230, 150), None)
    return (x - w / 2, y - s, x + w / 2, y)


@GLYPHS.register("flower")
def flower(d, x, y, s, rng, outline):
    _rect(d, (x - 0.5, y - s * 0.6, x + 0.5, y), (40, 130, 40), None)
    col = tuple(int(c) for c in rng.integers(120, 256, 3))
    _ell(d, (x - s * 0.3, y - s, x + s * 0.3, y - s * 0.45), col, outline)
    _ell(d, (x - s * 0.1, y - s * 0.8, x + s * 0.1, y - s * 0.62), (250, 220, 40), None)
    return (x - s * 0.3, y - s, x + s * 0.3, y)


@GLYPHS.register("cloud")
def cloud(d, x, y, s, rng, outline):
    for dx, dy, r in ((-0.4, -0.3, 0.35), (0.0, -0.5, 0.45), (0.4, -0.3, 0.35)):
        _ell(
            d,
            (x + (dx - r) * s, y + (dy - r) * s * 0.6, x + (dx + r) * s, y + (dy + r) * s * 0.6),
            (250, 250, 252),
            None,
        )
    return (x - 0.75 * s, y - 0.57 * s, x + 0.75 * s, y - 0.0 * s)


def draw_leash(d, x0, y0, x1, y1):
    """A leash: a line from a hand to a collar (not a glyph: it joins two)."""
    d.line((x0, y0, x1, y1), fill=(200, 30, 30), width=1)
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
