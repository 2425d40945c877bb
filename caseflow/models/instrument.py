"""Program-configured assessment instruments: the items a repeatable assessment asks."""

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.extensions import db
from caseflow.models.base import RecordMixin


class Instrument(RecordMixin, db.Model):
    """A risk/needs instrument a program uses (one or more per program)."""

    __tablename__ = "instruments"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    is_active: Mapped[bool] = mapped_column(default=True)

    items: Mapped[list["InstrumentItem"]] = relationship(
        back_populates="instrument", order_by="InstrumentItem.position"
    )


class InstrumentItem(RecordMixin, db.Model):
    """One question of an instrument, scored from 0 to max_points."""

    __tablename__ = "instrument_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instruments.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(String(200))
    max_points: Mapped[int] = mapped_column(default=1)

    instrument: Mapped[Instrument] = relationship(back_populates="items")
