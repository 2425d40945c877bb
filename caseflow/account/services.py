"""Changes a user makes to their own account; the acting user is always the account's owner."""

from caseflow.auth.services import check_password, is_locked, set_password
from caseflow.models import User


class WrongPasswordError(ValueError):
    """The current password given was not right; it counted toward the lockout."""


def change_own_password(user: User, current_password: str, new_password: str) -> None:
    """Replace the user's password after checking the current one; ends every session of theirs (S12).

    A wrong current password counts toward the account lockout, like any other guess.
    """
    if is_locked(user):
        raise WrongPasswordError("After 5 wrong tries the account is locked for 15 minutes. Try again later.")
    checked = check_password(user.email, current_password)
    if checked is None or checked.id != user.id:
        raise WrongPasswordError("That is not your current password.")
    set_password(user, user, new_password)
