"""The clinic logo lives in the database (#15 item 6): the image's bytes, checked (PNG or JPEG,
at most LOGO_MAX_BYTES, loads), so every workstation of a shared server prints it; the audit
trail records its size and fingerprint, never the image; a path stored before 0010 becomes the
image when the file can be read, else is cleared."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import io

import pytest
import sqlalchemy as sa
from PIL import Image

from clinic_desktop.core import db as dbmod
from clinic_desktop.core.errors import ValidationError
from clinic_desktop.core.services import accounts, audit
from clinic_desktop.core.services import settings as settings_service
from clinic_desktop.core.settings import LOGO_MAX_BYTES
from clinic_desktop.reports import plan_pdf
from tests.conftest import CLINIC, STRONG_PASSWORD, database_at


def image_bytes(kind: str = "PNG", size=(120, 60)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "#1F4E79").save(out, kind)
    return out.getvalue()


def padded_png(total: int) -> bytes:
    """A valid PNG made exactly ``total`` bytes long (bytes after IEND are ignored by readers)."""
    png = image_bytes()
    return png + b"\0" * (total - len(png))


def test_the_logo_round_trips_through_the_database(any_db):
    admin = accounts.create_first_admin(any_db, "admin", "Ada Admin", STRONG_PASSWORD, clinic=CLINIC)
    png = image_bytes()
    settings_service.update(any_db, admin, {"clinic_logo": png})
    assert settings_service.logo_bytes(settings_service.get_all(any_db)) == png
    jpeg = image_bytes("JPEG")
    settings_service.update(any_db, admin, {"clinic_logo": base64.b64encode(jpeg).decode()})
    assert settings_service.logo_bytes(settings_service.get_all(any_db)) == jpeg
    settings_service.update(any_db, admin, {"clinic_logo": ""})  # Remove
    assert settings_service.logo_bytes(settings_service.get_all(any_db)) is None
    # The audit trail says what changed, never holds the image.
    events = [e for e in audit.recent(any_db, admin) if e.action == "settings.updated"]
    logged = repr([e.detail for e in events])
    assert base64.b64encode(png).decode()[:40] not in logged
    assert f"image, {len(png)} bytes, sha256" in logged


@pytest.mark.parametrize(("size", "accepted"), [(LOGO_MAX_BYTES - 1, True), (LOGO_MAX_BYTES, True),
                                                (LOGO_MAX_BYTES + 1, False)])
def test_the_size_limit(db, admin, size, accepted):
    data = padded_png(size)
    if accepted:
        settings_service.update(db, admin, {"clinic_logo": data})
        assert settings_service.logo_bytes(settings_service.get_all(db)) == data
    else:
        with pytest.raises(ValidationError) as info:
            settings_service.update(db, admin, {"clinic_logo": data})
        assert "at most 256 KB" in info.value.fields["clinic_logo"]


@pytest.mark.parametrize(("data", "message"), [
    (image_bytes("GIF"), "PNG or JPEG"),
    (b"not an image at all", "PNG or JPEG"),
    (image_bytes()[:40], "cannot be read"),  # a PNG cut short: the header passes, loading fails
    ("%%% not base64 %%%", "PNG or JPEG"),
])
def test_what_is_not_a_readable_png_or_jpeg_is_refused(db, admin, data, message):
    with pytest.raises(ValidationError) as info:
        settings_service.update(db, admin, {"clinic_logo": data})
    assert message in info.value.fields["clinic_logo"]
    assert settings_service.get(db, "clinic_logo") == ""


def test_plans_draw_the_logo_from_its_bytes(db, admin):
    from tests.reports.test_plan_report import CLINIC as PLAN_CLINIC
    from tests.reports.test_plan_report import build

    without = plan_pdf.render_plan_pdf(build(clinic=PLAN_CLINIC))
    with_logo = plan_pdf.render_plan_pdf(build(clinic=dataclasses.replace(PLAN_CLINIC, logo=image_bytes())))
    assert b"/Subtype /Image" in with_logo and b"/Subtype /Image" not in without


@pytest.mark.parametrize("file_state", ["readable", "missing", "not an image"])
def test_0010_turns_a_logo_path_into_the_image_or_clears_it(any_db_target, tmp_path, file_state):
    logo = tmp_path / "logo.png"
    png = image_bytes()
    if file_state == "readable":
        logo.write_bytes(png)
    elif file_state == "not an image":
        logo.write_bytes(b"hello")
    _url, engine = database_at(any_db_target, "0007")
    settings_table = sa.table("clinic_settings", sa.column("key", sa.String), sa.column("value", sa.JSON),
                              sa.column("updated_at", sa.DateTime(timezone=True)),
                              sa.column("version", sa.Integer))
    with engine.begin() as conn:  # as 0007 stored it: the file's path
        conn.execute(settings_table.insert().values(key="clinic_logo", value=str(logo),
                                                    updated_at=dt.datetime.now(dt.UTC), version=1))
    engine.dispose()
    db = dbmod.open_database(any_db_target)
    try:
        stored = settings_service.logo_bytes(settings_service.get_all(db))
        assert stored == (png if file_state == "readable" else None)
    finally:
        db.dispose()
