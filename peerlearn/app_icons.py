"""The Teams app icons: drawn here, committed as appPackage/color.png and appPackage/outline.png.

Teams asks for a 192×192 full-colour icon (a solid background with the symbol inside the central
safe zone) and a 32×32 outline icon (white on a transparent background). Both show the same symbol:
two peers side by side under an arc with an arrow at each end, knowledge going both ways.

Regenerate with `python -m peerlearn.app_icons appPackage`; `icon_problems` checks icons before packaging.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, UnidentifiedImageError

COLOR_ICON, OUTLINE_ICON = "color.png", "outline.png"
COLOR_SIZE, OUTLINE_SIZE = 192, 32
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


def icon_problems(app_dir: Path) -> list[str]:
    """What is wrong with color.png (192×192, opaque) and outline.png (32×32, white on transparent)."""
    problems: list[str] = []
    for name, size in ((COLOR_ICON, COLOR_SIZE), (OUTLINE_ICON, OUTLINE_SIZE)):
        path = app_dir / name
        try:
            with Image.open(path) as opened:
                fmt, actual = opened.format, opened.size
                has_alpha = "A" in opened.mode or "transparency" in opened.info
                pixels = _rgba_pixels(opened)
        except FileNotFoundError:
            problems.append(f"{path} is missing.")
            continue
        except UnidentifiedImageError:
            problems.append(f"{path} is not an image.")
            continue
        if fmt != "PNG":
            problems.append(f"{path} is a {fmt} image; Teams wants a PNG.")
        if actual != (size, size):
            problems.append(f"{path} is {actual[0]}×{actual[1]}; Teams wants {size}×{size}.")
        if name == COLOR_ICON and any(alpha < 255 for *_, alpha in pixels):
            problems.append(f"{path} has transparent pixels; the colour icon must be opaque (full colour).")
        if name == OUTLINE_ICON:
            problems.extend(_outline_problems(path, has_alpha, pixels, actual[0]))
    return problems


def _rgba_pixels(image: Image.Image) -> list[tuple[int, int, int, int]]:
    """Row by row; through bytes, since Pillow deprecates `getdata` and older Pillows lack its successor."""
    data = image.convert("RGBA").tobytes()
    return [(data[i], data[i + 1], data[i + 2], data[i + 3]) for i in range(0, len(data), 4)]


def _outline_problems(
    path: Path, has_alpha: bool, pixels: list[tuple[int, int, int, int]], width: int
) -> list[str]:
    if not has_alpha:
        return [f"{path} has no alpha channel; the outline icon must be white on transparent."]
    problems: list[str] = []
    if all(alpha > 0 for *_, alpha in pixels):
        problems.append(f"{path} has no transparent pixel; the outline icon must be white on transparent.")
    if all(alpha == 0 for *_, alpha in pixels):
        problems.append(f"{path} is fully transparent; draw the symbol in white.")
    coloured = [i for i, (*rgb, alpha) in enumerate(pixels) if alpha and rgb != [255, 255, 255]]
    if coloured:
        x, y = coloured[0] % width, coloured[0] // width
        problems.append(
            f"{path} has {len(coloured)} visible pixels that are not white, e.g. at x={x}, y={y}."
        )
    return problems


def write_icons(directory: Path) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    color, outline = directory / COLOR_ICON, directory / OUTLINE_ICON
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
