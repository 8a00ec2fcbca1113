"""The installers' icon set: PNGs in every hicolor size and a Windows .ico, from the window's SVG."""

from __future__ import annotations

import struct

from PySide6.QtGui import QImage

from clinic_desktop.gui import icon_set


def test_the_icon_set_has_every_size_drawn_from_the_one_svg(tmp_path):
    written = icon_set.write_icon_set(tmp_path)

    assert (tmp_path / "clinic-desktop.svg").read_bytes() == icon_set.source_svg().read_bytes()
    for size in icon_set.PNG_SIZES:
        image = QImage(str(tmp_path / f"{size}x{size}" / "clinic-desktop.png"))
        assert (image.width(), image.height()) == (size, size)
        assert image.pixelColor(size // 2, size // 2).name() == "#ffffff"  # the white cross
        assert image.pixelColor(size // 5, size // 5).name() == "#0f766e"  # on the teal tile
        assert image.pixelColor(0, 0).alpha() < 255  # rounded corners
    assert sum(path.stat().st_size for path in written) < 64 * 1024  # small enough to ship twice


def test_the_ico_holds_one_png_per_windows_size(tmp_path):
    icon_set.write_icon_set(tmp_path)
    data = (tmp_path / "clinic-desktop.ico").read_bytes()

    reserved, kind, count = struct.unpack_from("<HHH", data)
    assert (reserved, kind, count) == (0, 1, len(icon_set.ICO_SIZES))
    sizes = []
    for n in range(count):
        width, height, _colours, _reserved, _planes, _bits, length, offset = struct.unpack_from(
            "<BBBBHHII", data, 6 + 16 * n)
        assert data[offset:offset + 8] == b"\x89PNG\r\n\x1a\n"
        image = QImage.fromData(data[offset:offset + length], "PNG")
        assert (image.width(), image.height()) == (width or 256, height or 256)
        sizes.append(width or 256)
    assert sizes == list(icon_set.ICO_SIZES)
