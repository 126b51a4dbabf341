"""Loaded by pytest before Django (``-p tests.env``): test mode and a throw-away data folder."""

import os
import tempfile

os.environ.setdefault("TIDINGS_ENV", "test")
os.environ.setdefault("TIDINGS_DATA_DIR", tempfile.mkdtemp(prefix="tidings-test-"))
