"""Key rotation: re-encrypt every encrypted column with the first configured key (S27)."""

from collections.abc import Callable
from dataclasses import dataclass, field

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from sqlalchemy import Table, Text, bindparam, select, type_coerce, update

from caseflow.crypto import CIPHERTEXT_PREFIX, EncryptedText, UndecryptableValueError, current_fernet, parse_keys
from caseflow.extensions import db


@dataclass
class TableCount:
    """What rotation did to one table: rows read, values re-encrypted, values already under the first key."""

    table: str
    rows: int = 0
    rotated: int = 0
    current: int = 0


@dataclass
class RotationReport:
    """Per-table counts in the order the tables were done, and where a failed run stopped."""

    tables: list[TableCount] = field(default_factory=list)
    problem: str | None = None

    @property
    def rotated(self) -> int:
        return sum(t.rotated for t in self.tables)

    @property
    def current(self) -> int:
        return sum(t.current for t in self.tables)


def encrypted_columns() -> dict[Table, list[str]]:
    """Every table with EncryptedText columns and those columns' names, read from the models' metadata."""
    found: dict[Table, list[str]] = {}
    for table in db.metadata.sorted_tables:
        names = [column.name for column in table.columns if isinstance(column.type, EncryptedText)]
        if names:
            found[table] = names
    return found


def rotate_keys(batch_size: int = 500, progress: Callable[[TableCount], None] | None = None) -> RotationReport:
    """Re-encrypt, batch by batch, every stored value not yet under the first key.

    Commits once per batch, unlike other services: a single transaction over
    every table would hold SQLite's write lock (and PostgreSQL's row locks) for the whole run while
    every page view needs to write an audit row. Separate batches are safe because a value reads the
    same before and after its rotation while the old key stays in the list, and a rerun after a
    failure skips what is already done.
    """
    fernet = current_fernet()
    first = Fernet(parse_keys(current_app.config["ENCRYPTION_KEYS"])[0])
    report = RotationReport()
    for table, names in encrypted_columns().items():
        count = TableCount(table.name)
        report.tables.append(count)
        (key,) = table.primary_key.columns
        raw = [type_coerce(table.c[name], Text).label(name) for name in names]
        last = None
        while True:
            stmt = select(key.label("_key"), *raw).order_by(key).limit(batch_size)
            if last is not None:
                stmt = stmt.where(key > last)
            rows = db.session.execute(stmt).mappings().all()
            if not rows:
                break
            last = rows[-1]["_key"]
            count.rows += len(rows)
            for name in names:
                changes = []
                for row in rows:
                    token = row[name]
                    if not token:
                        continue
                    try:
                        new = _rotated(token, first, fernet)
                    except UndecryptableValueError:
                        db.session.rollback()
                        report.problem = (
                            f"{table.name}.{name} of row {row['_key']} cannot be decrypted with any key in "
                            "CASEFLOW_ENCRYPTION_KEYS"
                        )
                        return report
                    if new is None:
                        count.current += 1
                    else:
                        changes.append({"_key": row["_key"], "_old": token, "_new": new})
                count.rotated += _write(table, key, name, changes)
            db.session.commit()
        if progress:
            progress(count)
    return report


def _rotated(token: str, first: Fernet, fernet: MultiFernet) -> str | None:
    """The token re-encrypted under the first key, or None when it is already under it."""
    if not token.startswith(CIPHERTEXT_PREFIX):
        raise UndecryptableValueError("not a Fernet token")
    try:
        data = token.encode("ascii")
        try:
            first.decrypt(data)
            return None
        except InvalidToken:
            return fernet.rotate(data).decode("ascii")
    except (InvalidToken, UnicodeError):
        raise UndecryptableValueError("no configured key opens it") from None


def _write(table: Table, key, name: str, changes: list[dict]) -> int:
    """Swap old tokens for new ones where a row still holds the old one; returns how many were swapped.

    A row the application rewrote after we read it already holds a value under the first key
    (the app always encrypts with it), so it is left alone rather than overwritten with stale text.
    """
    if not changes:
        return 0
    stmt = (
        update(table)
        .where(key == bindparam("_key"), type_coerce(table.c[name], Text) == bindparam("_old", type_=Text))
        .values({name: bindparam("_new", type_=Text)})
    )
    if "updated_at" in table.c:
        # Re-encryption is not an edit: keep the record's last-changed time.
        stmt = stmt.values(updated_at=table.c.updated_at)
    connection = db.session.connection()
    if connection.dialect.supports_sane_multi_rowcount:
        return connection.execute(stmt, changes).rowcount
    return sum(connection.execute(stmt, change).rowcount for change in changes)
