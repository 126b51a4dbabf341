"""Helpers of ``extract_page``: the article body and the page metadata, each pure."""
