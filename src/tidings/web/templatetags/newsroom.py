"""Template helpers for the reader site."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote, urlencode

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils import timezone
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString

from tidings.articles.models import Article
from tidings.common.sanitise import mark_sanitised

register = template.Library()


@register.filter
def newsdate(value: datetime | None) -> str:
    """ "Dec 30, 2022 03:49 PM IST" in the site's time zone."""
    if value is None:
        return ""
    return date_filter(timezone.localtime(value), "M d, Y h:i A T")


@register.simple_tag
def article_body(article: Article) -> SafeString:
    """The sanitised body with the "Read more" links set inline after the second paragraph."""
    body = mark_sanitised(article.body_html)
    links = [link for link in article.related_links if link.get("url")]
    if not links:
        return body
    items = format_html_join(
        "",
        '<li><a href="{}">{}</a></li>',
        ((_related_href(link), link.get("title") or link["url"]) for link in links[:5]),
    )
    aside = format_html(
        '<aside class="read-more" aria-label="Read more"><strong>Read more:</strong>'
        "<ul>{}</ul></aside>",
        items,
    )
    head, cut, tail = _after_paragraphs(article.body_html, count=2)
    return format_html("{}{}{}", mark_sanitised(head + cut), aside, mark_sanitised(tail))


def _after_paragraphs(html: str, *, count: int) -> tuple[str, str, str]:
    """(before, "</p>", after) split after the ``count``-th paragraph, or at the end."""
    parts = html.split("</p>")
    position = min(count, len(parts) - 1)
    if position <= 0:
        return html, "", ""
    return "</p>".join(parts[:position]), "</p>", "</p>".join(parts[position:])


def _related_href(link: dict[str, object]) -> str:
    article_id = link.get("article_id")
    if article_id:
        return f"/a/{int(str(article_id))}/"
    url = str(link.get("url", ""))
    return url if url.startswith(("http://", "https://")) else "#"


@register.inclusion_tag("web/includes/share.html")
def share_links(url: str, headline: str) -> dict[str, object]:
    text = quote(headline)
    target = quote(url, safe="")
    return {
        "url": url,
        "links": [
            ("X", f"https://twitter.com/intent/tweet?url={target}&text={text}"),
            ("Facebook", f"https://www.facebook.com/sharer/sharer.php?u={target}"),
            ("WhatsApp", f"https://wa.me/?text={quote(headline + ' ' + url)}"),
            ("LinkedIn", f"https://www.linkedin.com/sharing/share-offsite/?url={target}"),
            ("E-mail", "mailto:?" + urlencode({"subject": headline, "body": url}, quote_via=quote)),
        ],
    }


@register.filter
def initials(name: str) -> str:
    return escape("".join(part[0] for part in name.split()[:2]).upper())


@register.filter
def proxied(src: str) -> str:
    """A remote photo's address on our media proxy, so readers' browsers never hotlink it.

    Local paths (uploaded /media/ files) stay as they are; anything that is neither
    http(s) nor a local path (``javascript:``, ``data:``, ``//host``) becomes "".
    """
    from tidings.web.views.media_proxy import media_proxy_path

    src = str(src or "").strip()
    if src.lower().startswith(("http://", "https://")):
        return media_proxy_path(url=src)
    return src if src.startswith("/") and not src.startswith("//") else ""
