"""Plain-text page dumps → clean articles (``clean_text_dump``)."""

from tidings.ingestion.dump.clean import clean_text_dump

__all__ = ["clean_text_dump"]
