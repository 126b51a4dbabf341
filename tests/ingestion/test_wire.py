"""Wire items: ninjs 1.x/2.x and NewsML-G2, over fixtures written from the IPTC specs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tidings.ingestion.wire import WireParseError, parse_newsml_g2, parse_ninjs

FIXTURES = Path(__file__).parent / "fixtures" / "wire"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_ninjs_1x_text_item() -> None:
    (item,) = parse_ninjs(body=fixture("ninjs-1.x-text.json"))
    article = item.article
    assert item.external_id == "urn:newsml:wire.example.org:20240305:harbour-bridge-4"
    assert (item.version, item.retracted, item.urgency) == ("4", False, 4)
    assert (item.slugline, item.located) == ("portugal-bridge", "Porto, Portugal")
    assert article.headline == "Porto harbour bridge reopens after storm repairs"
    assert article.standfirst == "Ferry and road traffic resume after a three-week closure."
    assert article.bylines == ["By Ana Costa"]
    assert article.agency == "Example Wire"
    assert article.published.isoformat() == "2024-03-05T06:12:00+00:00"
    assert article.updated.isoformat() == "2024-03-05T09:40:00+01:00"
    assert article.language == "en-GB"
    assert article.topics == ["Transport", "Weather"]
    assert article.body_html == (
        "<p>PORTO, March 5 (Example Wire) - The harbour bridge reopened on Tuesday.</p>"
        "<p>Engineers replaced 40 cables &amp; two piers.</p>"
    )
    assert article.body_text.endswith("Engineers replaced 40 cables & two piers.")
    image = article.image
    assert image.url == "https://media.wire.example.org/bridge-1600.jpg"  # the largest
    assert image.caption == "Cars cross the reopened bridge in Porto."
    assert image.credit == "Example Wire/Rui Alves"


def test_ninjs_2x_text_item() -> None:
    (item,) = parse_ninjs(body=fixture("ninjs-2.x-text.json"))
    article = item.article
    assert item.external_id == "http://wire.example.org/text/20240611-ferry-strike"
    assert article.headline == "Färjestrejk stoppar trafiken i tre dagar"  # role main
    assert article.standfirst == "Strejken börjar onsdag."
    assert article.bylines == ["Erik Lind/Exempelbyrån"]
    assert article.agency == "Exempelbyrån"
    assert article.published.isoformat() == "2024-06-11T14:05:00+02:00"
    assert article.topics == ["Arbetsmarknad", "Sjöfart"]
    assert article.body_html == (
        "<p>Strejken börjar onsdag.</p>"
        '<p>Facket kräver <a rel="noopener noreferrer nofollow">högre</a> löner.</p>'
    )
    assert "Färjestrejk" not in article.body_text  # the <title> is not body text
    assert article.image.url == "https://media.wire.example.org/ferry-4000.jpg"
    assert article.image.credit == "Karin Berg/Exempelbyrån"


def test_ninjs_canceled_is_a_retraction() -> None:
    (item,) = parse_ninjs(body=fixture("ninjs-canceled.json"))
    assert item.retracted
    assert item.version == "5"
    assert item.article.body_html == "<p>This story has been withdrawn. Please do not use it.</p>"


@pytest.mark.parametrize(
    "body", [b"", b"{", b"[]", b'{"headline": "no uri"}', b"[" * 50_000 + b"]" * 50_000]
)
def test_bad_ninjs_raises_wire_parse_error(body: bytes) -> None:
    with pytest.raises(WireParseError):
        parse_ninjs(body=body)


def test_newsml_g2_text_item() -> None:
    (item,) = parse_newsml_g2(body=fixture("newsml-g2-text.xml"))
    article = item.article
    assert item.external_id == "urn:newsml:wire.example.org:20240904:quake-chile"
    assert (item.version, item.retracted, item.urgency) == ("3", False, 2)
    assert item.slugline == "CHILE-SISMO/"
    assert item.dateline == "SANTIAGO, 4 sep (Example Wire) -"
    assert item.located == "Santiago"
    assert article.headline == "Sismo de magnitud 6,8 sacude el norte de Chile"
    assert article.standfirst == "Las autoridades evalúan daños en Antofagasta."
    assert article.bylines == ["Por María Soto"]
    assert article.agency == "Example Wire"
    assert article.language == "es"
    assert article.topics == ["Desastres y accidentes", "Chile"]
    assert article.published.isoformat() == "2024-09-04T17:55:00-04:00"
    assert article.updated.isoformat() == "2024-09-04T18:30:00-04:00"
    html = article.body_html
    assert html.startswith(
        "<p>Un sismo de magnitud 6,8 sacudió el miércoles el norte de Chile.</p>"
    )
    assert '<a href="https://www.shoa.example.cl/"' in html and "&amp; el servicio" in html
    assert "script" not in html and "onerror" not in html and "Sismo" not in article.body_text
    assert article.body_text.splitlines()[-1] == "Fin."


def test_newsml_g2_message_pairs_pictures_and_retractions() -> None:
    floods, kill = parse_newsml_g2(body=fixture("newsml-g2-message.xml"))
    assert floods.external_id == "urn:newsml:wire.example.org:20241001:floods-valencia"
    assert floods.article.body_html == (
        "<p>Heavy rain flooded roads around Valencia on Tuesday.</p><p>Schools were closed.</p>"
    )
    assert floods.article.language == "en"
    assert (floods.article.agency, floods.article.topics) == ("Example Wire", ["Weather"])
    image = floods.article.image
    assert image.url == "https://media.wire.example.org/flood-2048.jpg"
    assert image.caption == "Residents wade through a flooded street in Valencia."
    assert image.credit == "Example Wire/Luis Gil"
    assert kill.retracted and kill.article.image is None


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<rss/>",
        b"<newsItem xmlns='http://iptc.org/std/nar/2006-10-01/'/>",
        b"<newsMessage xmlns='http://iptc.org/std/nar/2006-10-01/'><itemSet/></newsMessage>",
        b'<!DOCTYPE n [<!ENTITY a "b">]><newsItem guid="g"/>',
        b"<newsItem guid='g'><contentMeta>",
    ],
    ids=["empty", "not-g2", "no-guid", "no-items", "dtd", "truncated"],
)
def test_bad_newsml_g2_raises_wire_parse_error(body: bytes) -> None:
    with pytest.raises(WireParseError):
        parse_newsml_g2(body=body)


def test_wire_items_convert_to_the_common_article_json() -> None:
    (item,) = parse_newsml_g2(body=fixture("newsml-g2-text.xml"))
    document = item.article.to_json()
    assert document["headline"] == item.article.headline
    assert document["published"] == "2024-09-04T17:55:00-04:00"
