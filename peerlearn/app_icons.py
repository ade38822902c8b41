"""The Teams app icons: drawn here, committed as appPackage/color.png and appPackage/outline.png.

Teams asks for a 192×192 full-colour icon (a solid background with the symbol inside the central
safe zone) and a 32×32 outline icon (white on a transparent background). Both show the same symbol:
two peers side by side under an arc with an arrow at each end, knowledge going both ways.

Regenerate with `python -m peerlearn.app_icons appPackage`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw

COLOR_SIZE = 192
OUTLINE_SIZE = 32
# The manifest's accentColor is the colour icon's background, so Teams' tiles match the icon.
ACCENT_COLOR = "#3B5BDB"
_ACCENT_RGB = (0x3B, 0x5B, 0xDB)
_EXCHANGE_RGB = (0xFF, 0xC9, 0x4D)
_SUPERSAMPLE = 8

Box = tuple[float, float, float, float]


def _scaled(box: Box, size: int) -> Box:
    """A box given in a 0..1 square, scaled to `size` pixels."""
    return (box[0] * size, box[1] * size, box[2] * size, box[3] * size)


def _peers_mask(size: int) -> Image.Image:
    """Two people side by side, as an anti-aliased 8-bit mask of `size`×`size`."""
    big = size * _SUPERSAMPLE
    mask = Image.new("L", (big, big), 0)
    draw = ImageDraw.Draw(mask)
    for centre in (0.29, 0.71):
        # A head, and the shoulders as the top half of an ellipse.
        draw.ellipse(_scaled((centre - 0.105, 0.40, centre + 0.105, 0.61), big), fill=255)
        draw.chord(_scaled((centre - 0.185, 0.655, centre + 0.185, 1.035), big), 180, 360, fill=255)
    return mask.resize((size, size), Image.Resampling.LANCZOS)


def _exchange_mask(size: int, *, stroke: float) -> Image.Image:
    """An arc over both heads with an arrowhead at each end: knowledge going both ways.

    `stroke` is the arc's width as a fraction of the side, thicker for the small outline icon.
    """
    big = size * _SUPERSAMPLE
    mask = Image.new("L", (big, big), 0)
    draw = ImageDraw.Draw(mask)
    draw.arc(_scaled((0.20, 0.05, 0.80, 0.65), big), 207, 333, fill=255, width=max(1, round(stroke * big)))
    for tip, inner, outer in (
        ((0.16, 0.34), (0.215, 0.215), (0.31, 0.31)),
        ((0.84, 0.34), (0.785, 0.215), (0.69, 0.31)),
    ):
        draw.polygon([_point(tip, big), _point(inner, big), _point(outer, big)], fill=255)
    return mask.resize((size, size), Image.Resampling.LANCZOS)


def _point(point: tuple[float, float], size: int) -> tuple[float, float]:
    return (point[0] * size, point[1] * size)


def draw_color_icon() -> Image.Image:
    """192×192, opaque: white peers and an amber exchange on the accent colour, inside the safe zone."""
    icon = Image.new("RGB", (COLOR_SIZE, COLOR_SIZE), _ACCENT_RGB)
    symbol_size = 128
    offset = (COLOR_SIZE - symbol_size) // 2
    for mask, rgb in (
        (_peers_mask(symbol_size), (255, 255, 255)),
        (_exchange_mask(symbol_size, stroke=0.075), _EXCHANGE_RGB),
    ):
        icon.paste(Image.new("RGB", mask.size, rgb), (offset, offset), mask)
    return icon


def draw_outline_icon() -> Image.Image:
    """32×32 RGBA: every pixel is white, and the symbol lives only in the alpha channel."""
    alpha = ImageChops.lighter(_peers_mask(OUTLINE_SIZE), _exchange_mask(OUTLINE_SIZE, stroke=0.09))
    icon = Image.new("RGBA", (OUTLINE_SIZE, OUTLINE_SIZE), (255, 255, 255, 0))
    icon.putalpha(alpha)
    return icon


def write_icons(directory: Path) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    color, outline = directory / "color.png", directory / "outline.png"
    draw_color_icon().save(color, optimize=True)
    draw_outline_icon().save(outline, optimize=True)
    return color, outline


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    directory = Path(args[0]) if args else Path("appPackage")
    for path in write_icons(directory):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
