"""trafilatura's own metadata heuristics, asked lazily: only for fields the page does not
declare, because its author search alone costs more than the rest of our metadata."""

from __future__ import annotations

from functools import cached_property

from htmldate import find_date
from lxml import html as lxml_html
from trafilatura.metadata import extract_author, extract_title, set_date_params


class Fallback:
    def __init__(self, tree: lxml_html.HtmlElement, *, url: str | None) -> None:
        self._tree = tree
        self._url = url

    @cached_property
    def title(self) -> str | None:
        return extract_title(self._tree)

    @cached_property
    def author(self) -> str | None:
        """trafilatura's search of the markup for an author (bylines, rel=author …)."""
        return extract_author(self._tree)

    @cached_property
    def date(self) -> str | None:
        """The day htmldate finds (URL, markup and text weighed), as ``YYYY-MM-DD``."""
        params = set_date_params(True)
        params["url"] = self._url
        return find_date(self._tree, **params)
