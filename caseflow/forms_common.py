"""Form field types shared by several feature forms."""

from wtforms import SelectMultipleField, widgets


class MultiCheckboxField(SelectMultipleField):
    """A multi-select shown as labelled checkboxes, which work on a phone."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def blank_choice(choices, label: str = "— choose —"):
    """Prefix a choice list with an empty option so nothing is pre-selected by accident."""
    return [("", label), *choices]
