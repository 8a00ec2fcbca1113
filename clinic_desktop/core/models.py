"""The clinic's records as typed SQLAlchemy 2 models.

Every clinical row records who created it and when, and carries a version number
(``version_id_col``) so that a stale edit from another workstation is refused
instead of silently overwriting. All times are stored in UTC.
"""

from __future__ import annotations

import datetime as dt
from types import MappingProxyType
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from clinic_desktop.core.vocab import Role, Stage  # noqa: F401 - the columns' vocabulary, imported from here too


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use an aware UTC time")
        value = value.astimezone(dt.UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def _bytewise(length: int) -> String:
    """Byte-order comparison on both engines, so prefix range scans and sorting agree."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")


class Base(DeclarativeBase):
    # Class-level mappings here and in __mapper_args__ are read-only (SQLAlchemy copies them).
    type_annotation_map = MappingProxyType({dt.datetime: UTCDateTime(), dict[str, Any]: JSON})


class Versioned:
    """Mixin: an optimistic-lock version number, bumped on every UPDATE."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)


class ClinicSetting(Base):
    """One clinic-wide setting (protocol thresholds, idle lock, lockout...). Value is JSON."""

    __tablename__ = "clinic_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = MappingProxyType({"version_id_col": version})


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Asked to choose a new password at the next sign-in (set by an administrator, migration 0016).
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None]
    last_sign_in_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = MappingProxyType({"version_id_col": version})


class Patient(Base):
    __tablename__ = "patients"

    id: Mapped[int] = mapped_column(primary_key=True)
    mrn: Mapped[str] = mapped_column(_bytewise(40), unique=True)
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[dt.date] = mapped_column(Date, index=True)
    sex: Mapped[str] = mapped_column(String(20))
    gender_identity: Mapped[str | None] = mapped_column(String(60))
    pronouns: Mapped[str | None] = mapped_column(String(40))
    preferred_language: Mapped[str] = mapped_column(String(16), default="en")
    phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(Text)
    emergency_contact_name: Mapped[str | None] = mapped_column(String(200))
    emergency_contact_relation: Mapped[str | None] = mapped_column(String(60))
    emergency_contact_phone: Mapped[str | None] = mapped_column(String(40))
    # Accent- and case-folded "family given": the sort key, and what duplicates are matched on.
    search_name: Mapped[str] = mapped_column(_bytewise(220), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime | None]
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    episodes: Mapped[list[Episode]] = relationship(back_populates="patient")

    __mapper_args__ = MappingProxyType({"version_id_col": version})


class PatientNameToken(Base):
    """One folded word of a patient's name; the search index (prefix range scans)."""

    __tablename__ = "patient_name_tokens"

    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), primary_key=True
    )
    token: Mapped[str] = mapped_column(_bytewise(64), primary_key=True)

    __table_args__ = (Index("ix_patient_name_tokens_token", "token", "patient_id"),)


class Episode(Base):
    """One episode of care: admission to discharge."""

    __tablename__ = "episodes"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    admitted_at: Mapped[dt.datetime]
    stage: Mapped[str] = mapped_column(String(20), index=True, default=Stage.ASSESSMENT.value)
    pathway: Mapped[str | None] = mapped_column(String(40))
    discharged_at: Mapped[dt.datetime | None]
    discharge_reason: Mapped[str | None] = mapped_column(String(200))
    #: When a safety alert was raised (PHQ-9 item 9 > 0, a positive ASQ, a
    #: complication); it stands until a safety assessment is recorded after this time.
    safety_alert_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime | None]
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    patient: Mapped[Patient] = relationship(back_populates="episodes")
    observations: Mapped[list[Observation]] = relationship(back_populates="episode")

    __mapper_args__ = MappingProxyType({"version_id_col": version})


class Observation(Base):
    """One instrument administration (COWS, SOWS, PHQ-9...): item scores and the computed result."""

    __tablename__ = "observations"

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"))
    instrument_id: Mapped[str] = mapped_column(String(32))
    item_scores: Mapped[dict[str, Any]] = mapped_column(JSON)
    total: Mapped[int] = mapped_column(Integer)
    band: Mapped[str | None] = mapped_column(String(32))
    complete: Mapped[bool] = mapped_column(Boolean)
    taken_at: Mapped[dt.datetime]
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: Why it was entered more than an hour after it was taken (back-dated), if it was.
    reason: Mapped[str | None] = mapped_column(Text)
    #: The patient answered it themselves (patient check-in mode: PHQ-9, GAD-7).
    self_reported: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    episode: Mapped[Episode] = relationship(back_populates="observations")

    __table_args__ = (Index("ix_observations_episode_taken", "episode_id", "instrument_id", "taken_at"),)
    __mapper_args__ = MappingProxyType({"version_id_col": version})


class AuditEvent(Base):
    """Append-only, hash-chained record of who did what, when.

    ``hash`` is SHA-256 over the canonical JSON of this event's content and ``prev_hash``;
    ``seq`` numbers events without gaps, so a deleted row breaks the chain visibly.
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[dt.datetime]
    user_id: Mapped[int | None] = mapped_column(Integer)
    username: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str | None] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    patient_id: Mapped[int | None] = mapped_column(Integer, index=True)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """A single row that serialises appends to the audit chain (locked by an UPDATE first)."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))


class Assessment(Base):
    """The intake assessment of an episode: a draft saved as it is typed, then signed and locked.

    ``data`` holds the sections as entered (plain JSON); a signed assessment is never edited in
    place, only corrected by an addendum. ``holder_*`` says which workstation has the draft open.
    """

    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    draft_saved_at: Mapped[dt.datetime | None]
    draft_saved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    holder_workstation: Mapped[str | None] = mapped_column(String(120))
    held_since: Mapped[dt.datetime | None]
    pathway: Mapped[str | None] = mapped_column(String(40))
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    signed_at: Mapped[dt.datetime | None]
    signed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = MappingProxyType({"version_id_col": version})


class AssessmentAddendum(Base):
    """A correction to a signed assessment: who, when, why and what. Never edited."""

    __tablename__ = "assessment_addenda"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))


class VitalSigns(Base):
    """One set of vitals on the flowsheet (``values`` keyed by ``core.vitals`` ids)."""

    __tablename__ = "vital_signs"

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"))
    values: Mapped[dict[str, Any]] = mapped_column(JSON)
    taken_at: Mapped[dt.datetime]
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    reason: Mapped[str | None] = mapped_column(Text)  # why back-dated, if it was
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __table_args__ = (Index("ix_vital_signs_episode_taken", "episode_id", "taken_at"),)
    __mapper_args__ = MappingProxyType({"version_id_col": version})


class CheckIn(Base):
    """A daily check-in on the flowsheet (``values`` keyed by ``core.checkin`` part ids: craving,
    mood, anxiety, pain 0–10, sleep hours and quality, appetite, fluids). ``self_reported``: the
    patient answered it themselves (patient check-in mode)."""

    __tablename__ = "check_ins"

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"))
    values: Mapped[dict[str, Any]] = mapped_column(JSON)
    self_reported: Mapped[bool] = mapped_column(Boolean, default=False)
    taken_at: Mapped[dt.datetime]
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    reason: Mapped[str | None] = mapped_column(Text)  # why back-dated, if it was
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __table_args__ = (Index("ix_check_ins_episode_taken", "episode_id", "taken_at"),)
    __mapper_args__ = MappingProxyType({"version_id_col": version})


class EntryStrike(Base):
    """A flowsheet or MAR entry struck through — entered in error, or replaced by a correction
    (``replaced_by_id``, an entry of the same type). The entry itself is never changed or
    deleted; one strike per entry."""

    __tablename__ = "entry_strikes"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_type: Mapped[str] = mapped_column(String(20))  # observation | vitals | checkin | administration
    entry_id: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    replaced_by_id: Mapped[int | None] = mapped_column(Integer)
    struck_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    struck_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("entry_type", "entry_id", name="uq_entry_strikes_entry"),)


class MedicationOrder(Base):
    """A prescriber's order (``core.medications.Order`` as a row): scheduled local times or PRN
    with a minimum interval, hold parameters, start and stop."""

    __tablename__ = "medication_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"), index=True)
    drug_id: Mapped[str] = mapped_column(String(32))
    drug_name: Mapped[str] = mapped_column(String(120), default="")
    dose: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(20))
    route: Mapped[str] = mapped_column(String(40))
    times: Mapped[list[str]] = mapped_column(JSON, default=list)
    min_interval_hours: Mapped[float | None] = mapped_column(Float)
    max_daily_dose: Mapped[float | None] = mapped_column(Float)
    hold_sbp_below: Mapped[int | None] = mapped_column(Integer)
    hold_dbp_below: Mapped[int | None] = mapped_column(Integer)
    hold_hr_below: Mapped[int | None] = mapped_column(Integer)
    start_at: Mapped[dt.datetime]
    stop_at: Mapped[dt.datetime | None]
    instructions: Mapped[str] = mapped_column(Text, default="")
    #: Warnings the prescriber acknowledged: [{rule, text, source, citation, reason, by, at}].
    acknowledgements: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, server_default="[]")
    ordered_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime | None]
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = MappingProxyType({"version_id_col": version})


class MedicationAdministration(Base):
    """A dose given, held or refused against an order, by whom; never edited (struck instead)."""

    __tablename__ = "medication_administrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("medication_orders.id"))
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(10))  # given | held | refused
    at: Mapped[dt.datetime]
    dose: Mapped[float | None] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text, default="")
    scheduled_for: Mapped[dt.datetime | None]
    override_note: Mapped[str] = mapped_column(Text, default="")
    override_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __table_args__ = (Index("ix_medication_administrations_order_at", "order_id", "at"),)
    __mapper_args__ = MappingProxyType({"version_id_col": version})


class SafetyAssessment(Base):
    """A clinician's safety assessment: ends the safety alert raised before it."""

    __tablename__ = "safety_assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"), index=True)
    at: Mapped[dt.datetime]
    risk: Mapped[str] = mapped_column(String(20))  # low | moderate | high
    actions: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class CareEntry(Base):
    """Supportive care given (a checklist item of the day) or a complication escalated, with
    the time and the action taken. Appended, never edited: two workstations both keep theirs."""

    __tablename__ = "care_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"))
    kind: Mapped[str] = mapped_column(String(20))  # supportive | complication
    item: Mapped[str] = mapped_column(String(40))
    done: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime]
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_care_entries_episode_at", "episode_id", "at"),)


class DirectoryEntry(Base):
    """A contact in the referral directory: a national helpline shipped with the app (``key``
    set, e.g. ``samhsa_helpline``; CLINICAL.md §4) or one of the clinic's own local services.

    ``phone`` is E.164 (``+18006624357``) or, for a national helpline, a short code (``988``);
    ``phone_display`` is the number as written (``1-800-662-HELP (4357)``). ``languages`` is a
    comma list of ISO 639 codes (``en,es``). Entries are never deleted: "deleting" one sets
    ``active`` false, and the shipped helplines cannot be deactivated.
    """

    __tablename__ = "directory_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str | None] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40), index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    phone_display: Mapped[str | None] = mapped_column(String(60))
    other_contact: Mapped[str | None] = mapped_column(String(300))
    address: Mapped[str | None] = mapped_column(Text)
    hours: Mapped[str | None] = mapped_column(String(200))
    languages: Mapped[str | None] = mapped_column(String(200))
    walk_in: Mapped[bool] = mapped_column(Boolean, default=False)
    payment: Mapped[str | None] = mapped_column(String(300))
    notes: Mapped[str | None] = mapped_column(Text)
    last_verified: Mapped[dt.date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Accent- and case-folded name (duplicates are matched on it) and name + notes + address
    # (what search looks in).
    search_name: Mapped[str] = mapped_column(Text, index=True)
    search_text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: shipped
    updated_at: Mapped[dt.datetime | None]
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = MappingProxyType({"version_id_col": version})


class PatientFactsRecord(Base):
    """The patient facts the medication rules read (CLINICAL.md §6), one row per episode: copied
    from the intake when it is signed, edited later (audited). ``None`` = not recorded. Allergies
    and co-use stay on the intake assessment."""

    __tablename__ = "patient_facts"

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"), unique=True)
    weight_kg: Mapped[float | None] = mapped_column(Float)
    hepatic: Mapped[str | None] = mapped_column(String(10))  # core.formulary.HEPATIC
    renal: Mapped[str | None] = mapped_column(String(10))  # core.formulary.RENAL
    egfr: Mapped[float | None] = mapped_column(Float)
    qtc_ms: Mapped[int | None] = mapped_column(Integer)
    qtc_on: Mapped[dt.date | None] = mapped_column(Date)
    pregnancy: Mapped[str | None] = mapped_column(String(16))  # core.facts.PREGNANCY_LABELS
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime | None]
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = MappingProxyType({"version_id_col": version})


class AftercarePlan(Base):
    """The aftercare plan of an episode (one per episode): the draft as it is typed, plus how it
    prints (``language``, ``page_size``, ``large_print``). Each finalized version is a
    :class:`PlanVersion`, never changed."""

    __tablename__ = "aftercare_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"), unique=True)
    draft: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    draft_saved_at: Mapped[dt.datetime | None]
    draft_saved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    language: Mapped[str] = mapped_column(String(16), default="en")
    page_size: Mapped[str] = mapped_column(String(10), default="letter")
    large_print: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = MappingProxyType({"version_id_col": version})


class PlanVersion(Base):
    """A finalized, signed version of a plan: the plan data and the exact PDF bytes handed to
    the patient, so it prints again exactly as it was. Never edited."""

    __tablename__ = "plan_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("aftercare_plans.id"))
    number: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    language: Mapped[str] = mapped_column(String(16))
    page_size: Mapped[str] = mapped_column(String(10))
    large_print: Mapped[bool] = mapped_column(Boolean)
    finalized_at: Mapped[dt.datetime]
    finalized_by: Mapped[int] = mapped_column(ForeignKey("users.id"))

    __table_args__ = (UniqueConstraint("plan_id", "number", name="uq_plan_versions_plan_number"),)


class PlanVersionCopy(Base):
    """The same finalized version in another language, rendered from the same data at the same
    moment (the patient's copy in their language, and English for the record): printing a
    version in either language gives these exact bytes, never a draft. Never edited."""

    __tablename__ = "plan_version_copies"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("plan_versions.id"))
    language: Mapped[str] = mapped_column(String(16))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)

    __table_args__ = (UniqueConstraint("version_id", "language", name="uq_plan_version_copies_language"),)


class Consent(Base):
    """A patient's written consent (42 CFR Part 2, CLINICAL.md §5) to share information with
    one recipient: who (the directory entry, and its name as signed), for what purpose, which
    information items, until when. Revocable (``revoked_*``); never deleted."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"), index=True)
    #: The provider it names, from the directory; None when it names a person (a family member
    #: or friend: ``recipient_name`` and ``recipient_relationship``).
    directory_entry_id: Mapped[int | None] = mapped_column(ForeignKey("directory_entries.id"))
    recipient_name: Mapped[str] = mapped_column(String(200))
    recipient_relationship: Mapped[str | None] = mapped_column(String(100))
    purpose: Mapped[str] = mapped_column(Text)
    #: The items' labels as recorded (free text typed before consents were itemized; kept for
    #: those rows, never printed on a letter).
    information: Mapped[str] = mapped_column(Text)
    #: The information items it covers: keys of core.consent.INFORMATION_ITEMS (42 CFR 2.31 "how
    #: much and what kind"); None when recorded before consents were itemized (covers no item).
    items: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    expires_on: Mapped[dt.date] = mapped_column(Date)
    signed_on: Mapped[dt.date] = mapped_column(Date)
    revoked_at: Mapped[dt.datetime | None]
    revoked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = MappingProxyType({"version_id_col": version})


class SupportGroup(Base):
    """One group session, as led: the topic and the note shared by every attendee's entry
    (:class:`SupportSession` rows with its ``group_id``). Never names an attendee."""

    __tablename__ = "support_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[dt.datetime]
    duration_min: Mapped[int] = mapped_column(Integer)
    approaches: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))


class SupportSession(Base):
    """A counseling, group, family, peer or brief support session with one patient (issue #16),
    signed with the author's password when saved and then never edited: corrected by
    :class:`SupportAddendum`. ``what_matters`` holds what the patient said matters (reasons,
    strengths, trusted people, routines), ``importance``/``confidence`` the readiness ruler.
    A family session names the family member and the consent it was shared under (None:
    recorded without disclosure)."""

    __tablename__ = "support_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"))
    kind: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[dt.datetime]
    duration_min: Mapped[int] = mapped_column(Integer)
    approaches: Mapped[list[str]] = mapped_column(JSON, default=list)
    patient_words: Mapped[str] = mapped_column(Text, default="")
    agreed: Mapped[str] = mapped_column(Text, default="")
    next_step: Mapped[str] = mapped_column(Text, default="")
    what_matters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    importance: Mapped[int | None] = mapped_column(Integer)
    confidence: Mapped[int | None] = mapped_column(Integer)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("support_groups.id"), index=True)
    family_member: Mapped[str | None] = mapped_column(String(200))
    consent_id: Mapped[int | None] = mapped_column(ForeignKey("consents.id"))
    reason: Mapped[str | None] = mapped_column(Text)  # why back-dated, if it was
    signed_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    signed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_support_sessions_episode_started", "episode_id", "started_at"),)


class SupportAddendum(Base):
    """A correction to a signed support session: who, when, why and what. Never edited."""

    __tablename__ = "support_addenda"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("support_sessions.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
