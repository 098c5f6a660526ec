"""Folium elements whose rendered scripts are kept as text, not compiled again as Jinja.

branca's ``MacroElement.render`` wraps each rendered macro (header, html, script) in
``Element(text)``, which compiles the text as a Jinja template although it holds no Jinja
any more: the GeoJSON of every layer is lexed, parsed and compiled a second time when the
map is saved (about half the saving time of a city's map). :class:`RenderedText` holds the
text instead and gives exactly what that template would render (Jinja drops one trailing
newline and writes every line break as a line feed); a text that still holds Jinja delimiters is
compiled as before. The page written is the same byte for byte (apart from folium's random
ids, which differ between any two saves).
"""

from __future__ import annotations

import re
from typing import Any

import folium
from branca.element import Element, Figure, MacroElement

_JINJA = ("{{", "{%", "{#")
_LINE_BREAK = re.compile(r"\r\n|\r")


class RenderedText(Element):
    """A rendered piece of a page, written out as it is."""

    def __init__(self, text: str) -> None:
        super().__init__()
        text = _LINE_BREAK.sub("\n", str(text))
        self._text = text[:-1] if text.endswith("\n") else text

    def render(self, **kwargs: Any) -> str:
        """Return the text (``kwargs`` are those of the page's render, not used)."""
        return self._text


def rendered(text: str) -> Element:
    """Wrap ``text`` a macro rendered: kept as it is, or compiled if it still holds Jinja."""
    return Element(text) if any(mark in text for mark in _JINJA) else RenderedText(text)


class RenderedMacro(MacroElement):
    """``MacroElement`` whose rendered header, html and script are not compiled again."""

    def render(self, **kwargs: Any) -> None:
        """Add the rendered macros to the page's header, html and script, then the children."""
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise ValueError("a map element can be rendered only inside a folium Figure")
        macros = self._template.module.__dict__
        for part in ("header", "html", "script"):
            macro = macros.get(part)
            if macro is not None:
                getattr(figure, part).add_child(rendered(macro(self, kwargs)),
                                                name=self.get_name())
        for element in self._children.values():
            element.render(**kwargs)


class GeoJson(folium.GeoJson, RenderedMacro):
    """``folium.GeoJson`` whose script (the layer's data) is written as rendered."""


__all__ = ["GeoJson", "RenderedMacro", "RenderedText", "rendered"]
