"""Logs that typed input cannot forge or fill with participant data (S36).

Every log message is escaped once it is formatted: a carriage return or line feed in a URL, a form
value or an exception message prints as \\r or \\n, so nobody can start a fake log line. (SQL values
are kept out of logs and error messages by the engine's hide_parameters setting in config.py.)
"""

import logging

_MARK = "_caseflow_log_safe"


def escape_line_breaks(text: str) -> str:
    """The text on one line: CR and LF (and the Unicode line separators) written as escapes."""
    return (
        text.replace("\\", "\\\\")
        .replace("\r", "\\r")
        .replace("\n", "\\n")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def install_log_safety() -> None:
    """Escape line breaks in every log record from now on, whichever logger or handler writes it; idempotent.

    A record factory rather than a handler filter: handlers (gunicorn's, a deployment's) come and go,
    the factory makes every record the same way.
    """
    previous = logging.getLogRecordFactory()
    if getattr(previous, _MARK, False):
        return

    def safe_record(*args, **kwargs) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string is logging's to report, not ours
            return record
        record.msg, record.args = escape_line_breaks(message), ()
        return record

    setattr(safe_record, _MARK, True)
    logging.setLogRecordFactory(safe_record)
