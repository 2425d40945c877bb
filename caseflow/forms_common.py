"""Form field types shared by several feature forms."""

from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, SubmitField, widgets


class MultiCheckboxField(SelectMultipleField):
    """A multi-select shown as labelled checkboxes, which work on a phone."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def optional_int(value):
    """Coerce a select's value to an int, with the empty option as None."""
    if value in (None, "", "None"):
        return None
    return int(value)


def blank_choice(choices, label: str = "— choose —"):
    """Prefix a choice list with an empty option so nothing is pre-selected by accident."""
    return [("", label), *choices]


class ActionForm(FlaskForm):
    """An empty CSRF-protected form for one-button POST actions."""

    submit = SubmitField("Confirm")
