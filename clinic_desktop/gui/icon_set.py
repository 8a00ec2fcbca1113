"""The application icon in every size the installers need, drawn from the one SVG the window uses.

    python -m clinic_desktop.gui.icon_set OUTDIR

writes ``OUTDIR/clinic-desktop.svg`` (a copy of ``resources/icons/clinic-desktop.svg``),
``OUTDIR/<n>x<n>/clinic-desktop.png`` for each of ``PNG_SIZES`` (the hicolor theme's layout, for
the .deb) and ``OUTDIR/clinic-desktop.ico`` (Windows: the .exe and the Inno Setup installer).
``build_installer.spec`` and ``make deb`` run it into ``build/icons``; nothing generated is committed.

Qt's SVG image plugin renders each size from the vectors (no scaling of a bitmap). The .ico holds
PNG-compressed images (Windows Vista and later), written here in a few lines rather than with an
extra library.
"""

from __future__ import annotations

import argparse
import shutil
import struct
import sys
from pathlib import Path

from clinic_desktop import APP_ID, paths

PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)  # 256 is the largest an .ico can hold


def source_svg() -> Path:
    return paths.resource("icons", f"{APP_ID}.svg")


def render_png(svg: Path, size: int) -> bytes:
    """The SVG drawn at ``size``×``size`` pixels, as PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize
    from PySide6.QtGui import QImageReader

    reader = QImageReader(str(svg))
    reader.setScaledSize(QSize(size, size))
    image = reader.read()
    if image.isNull():
        raise RuntimeError(f"cannot render {svg} at {size} px: {reader.errorString()}")
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # The stubs say bytes for the format; PySide6 itself refuses b"PNG" here and takes "PNG".
    if not image.save(buffer, "PNG"):  # type: ignore[call-overload]
        raise RuntimeError(f"cannot encode the {size} px icon as PNG")
    buffer.close()
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """A Windows .ico holding one PNG image per size (ICONDIR, ICONDIRENTRYs, then the images)."""
    count = len(pngs)
    header = struct.pack("<HHH", 0, 1, count)  # reserved, type 1 = icon, image count
    offset = 6 + 16 * count
    entries, images = [], []
    for size, png in sorted(pngs.items()):
        side = 0 if size >= 256 else size  # 0 means 256
        entries.append(struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset))
        images.append(png)
        offset += len(png)
    return header + b"".join(entries) + b"".join(images)


def write_icon_set(out: Path, svg: Path | None = None) -> list[Path]:
    """Write the icon set into ``out``; the files written."""
    svg = svg or source_svg()
    out.mkdir(parents=True, exist_ok=True)
    written = [out / f"{APP_ID}.svg"]
    shutil.copyfile(svg, written[0])
    pngs = {}
    for size in PNG_SIZES:
        pngs[size] = render_png(svg, size)
        target = out / f"{size}x{size}" / f"{APP_ID}.png"
        target.parent.mkdir(exist_ok=True)
        target.write_bytes(pngs[size])
        written.append(target)
    ico = out / f"{APP_ID}.ico"
    ico.write_bytes(ico_bytes({size: pngs[size] for size in ICO_SIZES}))
    written.append(ico)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m clinic_desktop.gui.icon_set",
                                     description="Write the application icon set (SVG, PNGs, .ico).")
    parser.add_argument("out", type=Path, metavar="OUTDIR")
    args = parser.parse_args(argv)
    written = write_icon_set(args.out)
    print(f"{len(written)} icon files in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
