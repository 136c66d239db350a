"""Reading a page's forms as a browser would submit them (stdlib HTML parser): the fields of
the form posting to an action, and the options a dropdown offers."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any


@dataclass
class Select:
    name: str
    disabled: bool
    options: list[tuple[str, bool]] = field(default_factory=list)  # (value, selected)


@dataclass
class Form:
    action: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    selects: dict[str, Select] = field(default_factory=dict)
    controls: dict[str, dict[str, str | None]] = field(default_factory=dict)

    def data(self) -> dict[str, Any]:
        """What submitting it unchanged sends: a name given more than once (checkboxes of one
        name) as the list of its values, as a browser sends them all."""
        found: dict[str, Any] = {}
        for key, value in self.fields:
            if key in found:
                previous = found[key]
                found[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
            else:
                found[key] = value
        return found

    def many(self, name: str) -> list[str]:
        return [value for key, value in self.fields if key == name]


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: Select | None = None
        self.option: tuple[str | None, bool] | None = None
        self.option_text = ""
        self.textarea: tuple[str, bool] | None = None
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.form = Form(a.get("action") or "")
            self.forms.append(self.form)
            return
        if self.form is None:
            return
        name = a.get("name")
        disabled = "disabled" in a
        if tag == "input" and name:
            self.form.controls[name] = a
            kind = (a.get("type") or "text").lower()
            if disabled or kind in ("submit", "button"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.form.fields.append((name, a.get("value") or "on"))
                return
            self.form.fields.append((name, a.get("value") or ""))
        elif tag == "select" and name:
            self.form.controls[name] = a
            self.select = Select(name, disabled)
            self.form.selects[name] = self.select
        elif tag == "option" and self.select is not None:
            self.option = (a.get("value"), "selected" in a)
            self.option_text = ""
        elif tag == "textarea" and name:
            self.form.controls[name] = a
            self.textarea = (name, disabled)
            self.text = ""

    def handle_data(self, data: str) -> None:
        if self.option is not None:
            self.option_text += data
        if self.textarea is not None:
            self.text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" and self.select is not None and self.option is not None:
            value, selected = self.option
            self.select.options.append((self.option_text if value is None else value, selected))
            self.option = None
        elif tag == "select" and self.select is not None and self.form is not None:
            chosen = [v for v, selected in self.select.options if selected]
            if not self.select.disabled and (chosen or self.select.options):
                value = chosen[-1] if chosen else self.select.options[0][0]
                self.form.fields.append((self.select.name, value))
            self.select = None
        elif tag == "textarea" and self.textarea is not None and self.form is not None:
            name, disabled = self.textarea
            if not disabled:
                # a browser drops the one newline right after <textarea>
                self.form.fields.append((name, self.text.removeprefix("\n")))
            self.textarea = None
        elif tag == "form":
            self.form = None


def forms(html: str) -> list[Form]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def form(html: str, action: str) -> Form:
    """The (first) form posting to ``action``."""
    for found in forms(html):
        if found.action == action:
            return found
    raise AssertionError(f"no form posts to {action}")


def options(html: str, action: str, name: str) -> list[str]:
    """The values a dropdown offers, "" (none) left out."""
    return [value for value, _ in form(html, action).selects[name].options if value]
