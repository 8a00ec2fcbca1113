"""The clinic logo is kept in the database (its image, base64, in the ``clinic_logo`` setting)
instead of a file path that only one workstation could read. A path stored before is replaced by
the image when the file is there, a PNG or JPEG of at most 256 KB that loads, on the computer
that upgrades; otherwise it is cleared (an administrator chooses the logo again in Clinic
settings) — a path never prints on a shared server anyway.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 19:10:00
"""

import base64
import io
import logging
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)
_MAX_BYTES = 256 * 1024  # core.settings.LOGO_MAX_BYTES when this revision was written

_settings = sa.table('clinic_settings', sa.column('key', sa.String), sa.column('value', sa.JSON))


def _image(path_text: str) -> bytes | None:
    """The file's bytes if it is a PNG or JPEG within the limit that loads, else None."""
    try:
        path = Path(path_text).expanduser()
        if not path.is_file() or path.stat().st_size > _MAX_BYTES:
            return None
        data = path.read_bytes()
        if not (data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff"))):
            return None
        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            image.load()
        return data
    except Exception:  # noqa: BLE001 - an unreadable file is treated as no logo
        return None


def upgrade() -> None:
    bind = op.get_bind()
    row = bind.execute(sa.select(_settings.c.value).where(_settings.c.key == 'clinic_logo')).first()
    if row is None:
        return
    path_text = str(row[0] or '').strip()
    data = _image(path_text) if path_text else None
    value = base64.b64encode(data).decode('ascii') if data else ''
    if path_text and not data:
        log.warning("the clinic logo file could not be read here; choose it again in Clinic settings")
    bind.execute(_settings.update().where(_settings.c.key == 'clinic_logo').values(value=value))


def downgrade() -> None:
    # The image cannot become a path on this computer again: the logo is cleared.
    bind = op.get_bind()
    bind.execute(_settings.update().where(_settings.c.key == 'clinic_logo').values(value=''))
