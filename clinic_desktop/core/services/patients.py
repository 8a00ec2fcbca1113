"""Registering, finding, opening and correcting patients."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass

import phonenumbers
from rapidfuzz import fuzz
from sqlalchemy import delete, func, intersect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from clinic_desktop.core import clock, text
from clinic_desktop.core.db import Database
from clinic_desktop.core.errors import ConflictError, NotFound, ValidationError
from clinic_desktop.core.languages import PATIENT_LANGUAGES
from clinic_desktop.core.models import Episode, Patient, PatientNameToken, Stage, User, utcnow
from clinic_desktop.core.permissions import SignedInUser, require
from clinic_desktop.core.services import audit
from clinic_desktop.core.services import settings as settings_service

SEXES = {
    "female": "Female",
    "male": "Male",
    "intersex": "Intersex",
    "unknown": "Unknown / not recorded",
}
LANGUAGES = PATIENT_LANGUAGES  # "Spanish (Español)", from Babel (core.languages)
MRN_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,39}$")
DUPLICATE_THRESHOLD = 80  # rapidfuzz token_sort_ratio on folded names, same date of birth


@dataclass(frozen=True)
class PatientInput:
    """What a registration form sends. Strings as typed; the service validates and cleans."""

    mrn: str
    given_name: str
    family_name: str
    date_of_birth: dt.date | None
    sex: str
    gender_identity: str = ""
    pronouns: str = ""
    preferred_language: str = "en"
    phone: str = ""
    address: str = ""
    emergency_contact_name: str = ""
    emergency_contact_relation: str = ""
    emergency_contact_phone: str = ""


EDITABLE = [f.name for f in dataclasses.fields(PatientInput)]


@dataclass(frozen=True)
class PatientView:
    id: int
    mrn: str
    given_name: str
    family_name: str
    date_of_birth: dt.date
    sex: str
    gender_identity: str | None
    pronouns: str | None
    preferred_language: str
    phone: str | None
    address: str | None
    emergency_contact_name: str | None
    emergency_contact_relation: str | None
    emergency_contact_phone: str | None
    version: int

    @property
    def display_name(self) -> str:
        return f"{self.family_name}, {self.given_name}"

    @property
    def age(self) -> int:
        return age_on(self.date_of_birth, dt.date.today())

    def as_input(self) -> PatientInput:
        return PatientInput(**{k: getattr(self, k) or "" for k in EDITABLE if k != "date_of_birth"},
                            date_of_birth=self.date_of_birth)


@dataclass(frozen=True)
class PatientSummary:
    """A search hit or a possible duplicate: enough to recognise the person."""

    id: int
    mrn: str
    display_name: str
    date_of_birth: dt.date
    age: int
    open_stage: str | None = None
    similarity: int | None = None


def age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _view(p: Patient) -> PatientView:
    return PatientView(**{f.name: getattr(p, f.name) for f in dataclasses.fields(PatientView)})


def _summary(p: Patient, stage: str | None = None, similarity: int | None = None) -> PatientSummary:
    return PatientSummary(
        p.id, p.mrn, f"{p.family_name}, {p.given_name}", p.date_of_birth,
        age_on(p.date_of_birth, dt.date.today()), stage, similarity,
    )


def _clean_phone(raw: str, region: str, field: str, errors: dict[str, str]) -> str | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        errors[field] = "This is not a phone number."
        return None
    if not phonenumbers.is_possible_number(number):
        errors[field] = "This phone number has the wrong number of digits."
        return None
    home = number.country_code == phonenumbers.country_code_for_region(region)
    fmt = phonenumbers.PhoneNumberFormat.NATIONAL if home else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, fmt)


#: What a registration requires: each field → the refusal's message while it is empty. The
#: patient dialog marks these required (and :func:`required_fields` adds the conditional one).
REQUIRED: dict[str, str] = {
    "mrn": "Enter the MRN.",
    "given_name": "Enter the given name.",
    "family_name": "Enter the family name.",
    "date_of_birth": "Enter the date of birth.",
    "sex": "Choose the sex recorded at birth (or Unknown).",
}
#: Required only once an emergency contact phone is given (whose number it is) → the message.
IF_CONTACT_PHONE: dict[str, str] = {"emergency_contact_name": "Enter who the emergency contact is."}


def required_fields(data: PatientInput) -> tuple[str, ...]:
    """The fields a registration requires as ``data`` stands, in form order: the
    :data:`REQUIRED` ones, and the emergency contact's name once its phone is given."""
    return (*REQUIRED, *(IF_CONTACT_PHONE if data.emergency_contact_phone.strip() else ()))


def _empty(data: PatientInput, field: str) -> bool:
    value = getattr(data, field)
    if field == "sex":
        return value not in SEXES
    return value is None or (isinstance(value, str) and not value.strip())


def validate(data: PatientInput, region: str = "US", today: dt.date | None = None) -> dict[str, object]:
    """Check a registration; raise ValidationError naming each bad field, else return clean values."""
    today = today or dt.date.today()
    messages = REQUIRED | IF_CONTACT_PHONE
    errors: dict[str, str] = {field: messages[field] for field in required_fields(data) if _empty(data, field)}
    mrn = data.mrn.strip().upper()
    if "mrn" not in errors and not MRN_PATTERN.match(mrn):
        errors["mrn"] = "An MRN has letters, digits and dashes only (at most 40)."
    given, family = data.given_name.strip(), data.family_name.strip()
    if len(given) > 100:
        errors["given_name"] = "At most 100 characters."
    if len(family) > 100:
        errors["family_name"] = "At most 100 characters."
    dob = data.date_of_birth
    if dob is not None and dob > today:
        errors["date_of_birth"] = "The date of birth cannot be in the future."
    elif dob is not None and dob < dt.date(today.year - 120, 1, 1):
        errors["date_of_birth"] = "The date of birth is more than 120 years ago."
    language = (data.preferred_language or "en").strip().lower()
    if not re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]{2,8})?", language):
        errors["preferred_language"] = "Choose a language."
    phone = _clean_phone(data.phone, region, "phone", errors)
    ec_phone = _clean_phone(data.emergency_contact_phone, region, "emergency_contact_phone", errors)
    if errors:
        raise ValidationError(errors)

    def opt(value: str) -> str | None:
        return value.strip() or None

    return {
        "mrn": mrn, "given_name": given, "family_name": family, "date_of_birth": dob,
        "sex": data.sex, "gender_identity": opt(data.gender_identity), "pronouns": opt(data.pronouns),
        "preferred_language": language, "phone": phone, "address": opt(data.address),
        "emergency_contact_name": opt(data.emergency_contact_name),
        "emergency_contact_relation": opt(data.emergency_contact_relation),
        "emergency_contact_phone": ec_phone,
    }


def _search_name(fields: dict[str, object]) -> str:
    return text.fold(f"{fields['family_name']} {fields['given_name']}")


def _index_tokens(session: Session, patient: Patient) -> None:
    """Replace the patient's rows in the name-token search index."""
    session.execute(delete(PatientNameToken).where(PatientNameToken.patient_id == patient.id))
    for token in sorted(set(text.tokens(patient.search_name))):
        session.add(PatientNameToken(patient_id=patient.id, token=token))


def register(db: Database, user: SignedInUser, data: PatientInput) -> PatientView:
    require(db, user, "patients.edit")
    with db.write() as session:
        region = settings_service.read_in(session)["phone_region"]
        fields = validate(data, region)
        if session.execute(select(Patient.id).where(Patient.mrn == fields["mrn"])).first():
            raise ValidationError({"mrn": f"MRN {fields['mrn']} belongs to another patient."})
        patient = Patient(**fields, search_name=_search_name(fields), created_by=user.id)
        session.add(patient)
        try:
            session.flush()
        except IntegrityError:
            raise ValidationError({"mrn": f"MRN {fields['mrn']} belongs to another patient."}) from None
        _index_tokens(session, patient)
        audit.append(session, user, "patient.created", entity_type="patient", entity_id=patient.id,
                     patient_id=patient.id, detail={"changes": audit.diff({}, fields)})
        return _view(patient)


def update(db: Database, user: SignedInUser, patient_id: int, expected_version: int,
           data: PatientInput) -> PatientView:
    """Correct registration details. A stale ``expected_version`` is refused with ConflictError."""
    require(db, user, "patients.edit")
    try:
        with db.write() as session:
            region = settings_service.read_in(session)["phone_region"]
            fields = validate(data, region)
            patient = session.get(Patient, patient_id)
            if patient is None:
                raise NotFound("This patient no longer exists.")
            if patient.version != expected_version:
                raise _conflict(session, patient)
            if fields["mrn"] != patient.mrn and session.execute(
                select(Patient.id).where(Patient.mrn == fields["mrn"])
            ).first():
                raise ValidationError({"mrn": f"MRN {fields['mrn']} belongs to another patient."})
            before = {k: getattr(patient, k) for k in fields}
            changes = audit.diff(before, fields)
            if not changes:
                return _view(patient)
            for key, value in fields.items():
                setattr(patient, key, value)
            patient.search_name = _search_name(fields)
            patient.updated_at = utcnow()
            patient.updated_by = user.id
            session.flush()  # the versioned UPDATE: refused here if another workstation won the race
            _index_tokens(session, patient)
            audit.append(session, user, "patient.updated", entity_type="patient", entity_id=patient.id,
                         patient_id=patient.id, detail={"changes": changes})
            return _view(patient)
    except StaleDataError:
        raise ConflictError(
            "Someone else saved this patient's record while you were editing it. Your changes were "
            "not saved: reopen the record to see the current version, then make them again."
        ) from None


def _conflict(session: Session, patient: Patient) -> ConflictError:
    who = session.get(User, patient.updated_by) if patient.updated_by else None
    when = clock.local_text(patient.updated_at, "%H:%M on %d %b") or "just now"
    name = who.full_name if who else "Someone else"
    return ConflictError(
        f"{name} changed this patient's record at {when}, after you opened it. Your changes were "
        "not saved: reopen the record to see the current version, then make them again."
    )


def open_record(db: Database, user: SignedInUser, patient_id: int) -> PatientView:
    """Open a patient's record for viewing; the opening itself is audited."""
    require(db, user, "patients.view")
    with db.write() as session:
        patient = session.get(Patient, patient_id)
        if patient is None:
            raise NotFound("This patient no longer exists.")
        audit.append(session, user, "patient.opened", entity_type="patient", entity_id=patient.id,
                     patient_id=patient.id)
        return _view(patient)


def _parse_date(query: str) -> dt.date | None:
    for fmt in ("%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(query, fmt).date()
        except ValueError:
            continue
    return None


def any_registered(db: Database, user: SignedInUser) -> bool:
    """Whether the clinic has registered any patient yet (an empty census says what to do next)."""
    require(db, user, "patients.view")
    with db.read() as session:
        return session.scalar(select(Patient.id).limit(1)) is not None


def search(db: Database, user: SignedInUser, query: str, limit: int = 50, *,
           shown: bool = False) -> list[PatientSummary]:
    """Find patients by date of birth, MRN prefix, or name (every word a prefix of a name word,
    accents and case ignored). Date-of-birth hits come first, then MRN hits, then name hits.
    ``shown`` (the results put before someone — the search box once typing pauses, not each
    keystroke): audited as "patient.searched" with the query's length and the number of results
    only, never the text (it may be a name or a date of birth), and no patient."""
    require(db, user, "patients.view")
    query = query.strip()
    if not query:
        return []
    born = _parse_date(query)
    mrn = query.upper()
    words = list(dict.fromkeys(text.tokens(query)))
    # One small query per kind of match, each walking its own index, instead of one OR
    # that would sort every MRN hit by name.
    queries = []
    if born is not None:
        queries.append(select(Patient).where(Patient.date_of_birth == born).order_by(Patient.search_name))
    if MRN_PATTERN.match(mrn):
        queries.append(select(Patient).where(Patient.mrn >= mrn, Patient.mrn < text.prefix_upper_bound(mrn))
                       .order_by(Patient.mrn))
    if words:
        hits = [
            select(PatientNameToken.patient_id).where(
                PatientNameToken.token >= word, PatientNameToken.token < text.prefix_upper_bound(word))
            for word in words
        ]
        ids = hits[0] if len(hits) == 1 else intersect(*hits)
        queries.append(select(Patient).where(Patient.id.in_(ids)).order_by(Patient.search_name, Patient.id))
    with db.write() if shown else db.read() as session:
        found: dict[int, Patient] = {}
        for stmt in queries:
            for patient in session.execute(stmt.limit(limit)).scalars():
                found.setdefault(patient.id, patient)
            if len(found) >= limit:
                break
        chosen = list(found.values())[:limit]
        stages = _open_stages(session, [p.id for p in chosen])
        if shown:
            audit.append(session, user, "patient.searched",
                         detail={"query_length": len(query), "results": len(chosen)})
        return [_summary(p, stages.get(p.id)) for p in chosen]


def _open_stages(session: Session, patient_ids: list[int]) -> dict[int, str]:
    if not patient_ids:
        return {}
    rows = session.execute(
        select(Episode.patient_id, Episode.stage).where(
            Episode.patient_id.in_(patient_ids), Episode.stage != Stage.DISCHARGED.value
        )
    ).all()
    return {pid: stage for pid, stage in rows}


def possible_duplicates(db: Database, user: SignedInUser, given_name: str, family_name: str,
                        date_of_birth: dt.date | None, exclude_id: int | None = None) -> list[PatientSummary]:
    """Patients with the same date of birth and a similar name (shown before saving a new one)."""
    require(db, user, "patients.view")
    if date_of_birth is None or not (given_name.strip() or family_name.strip()):
        return []
    wanted = text.fold(f"{given_name} {family_name}")
    with db.read() as session:
        same_day = session.execute(
            select(Patient).where(Patient.date_of_birth == date_of_birth)
        ).scalars().all()
        hits = []
        for p in same_day:
            if p.id == exclude_id:
                continue
            score = int(fuzz.token_sort_ratio(wanted, p.search_name))
            if score >= DUPLICATE_THRESHOLD:
                hits.append(_summary(p, similarity=score))
        return sorted(hits, key=lambda s: -(s.similarity or 0))


def suggest_mrn(db: Database) -> str:
    """The next free clinic MRN of the form C-000123 (staff may type their own instead)."""
    with db.read() as session:
        count = session.execute(select(func.count(Patient.id))).scalar_one()
        n = count + 1
        while session.execute(select(Patient.id).where(Patient.mrn == f"C-{n:06d}")).first():
            n += 1
        return f"C-{n:06d}"
