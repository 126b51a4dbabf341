"""Plain-text page dumps → clean articles. The work lives in ``tidings.ingestion.dump``."""

from tidings.ingestion.dump import clean_text_dump

__all__ = ["clean_text_dump"]
