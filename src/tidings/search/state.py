"""The shared enrichment models as versioned rows: load once per version, save with a bump.

Each worker keeps the last decoded object of each model with its version; a model is
decoded again only when another worker saved a newer version. Writers hold the row lock
(`select_for_update`) while they change the object, so two workers never interleave.
"""

from __future__ import annotations

import io
import json
import pickle
import tempfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from django.db import transaction

from tidings.enrichment.clusters import StoryClusterer
from tidings.enrichment.tagger import TaggerModel
from tidings.enrichment.vectors import LsaVectoriser
from tidings.search.models import EnrichmentModel

_loaded: dict[str, tuple[int, Any]] = {}


def model_version(*, name: str) -> int:
    version = EnrichmentModel.objects.filter(name=name).values_list("version", flat=True).first()
    return version or 0


def model_load(*, name: str, decode: Callable[[bytes], Any]) -> Any | None:
    """The model as last saved (None when never saved), decoded once per version."""
    version = model_version(name=name)
    if version == 0:
        return None
    cached = _loaded.get(name)
    if cached and cached[0] == version:
        return cached[1]
    payload = EnrichmentModel.objects.filter(name=name).values_list("payload", flat=True).first()
    model = decode(bytes(payload or b""))
    _loaded[name] = (version, model)
    return model


def model_lock(*, name: str) -> EnrichmentModel:
    """The model's row, locked until the surrounding transaction ends (payload deferred)."""
    EnrichmentModel.objects.get_or_create(name=name)
    return EnrichmentModel.objects.select_for_update().defer("payload").get(name=name)


def model_save(*, row: EnrichmentModel, model: Any, encode: Callable[[Any], bytes]) -> int:
    """Store a new version of a locked model and remember it as this worker's copy."""
    row.version += 1
    row.payload = encode(model)
    row.save(update_fields=["version", "payload", "updated_at"])
    _loaded[row.name] = (row.version, model)
    return row.version


def model_forget(*, name: str) -> None:
    """Drop this worker's copy (after a failed change, the object may be half-updated)."""
    _loaded.pop(name, None)


def locked_model(*, row: EnrichmentModel, decode: Callable[[bytes], Any]) -> Any | None:
    """The locked row's model, from this worker's copy when it is still current."""
    if row.version == 0:
        return None
    cached = _loaded.get(row.name)
    if cached and cached[0] == row.version:
        return cached[1]
    payload = EnrichmentModel.objects.filter(pk=row.pk).values_list("payload", flat=True).get()
    model = decode(bytes(payload))
    _loaded[row.name] = (row.version, model)
    return model


# --- codecs -------------------------------------------------------------------------------


def encode_stories(state: dict[str, Any]) -> bytes:
    """Story clusterer state and its cluster -> StoryCluster row map, as compressed JSON.

    Stories quiet for twice the clusterer's `active_days` are dropped first (it never
    compares with them again; their StoryCluster rows stay), so the state stays bounded.
    """
    clusterer: StoryClusterer = state["clusterer"]
    dumped = clusterer.to_dict()
    if _prune_quiet_stories(dumped, state["rows"]):
        state["clusterer"] = StoryClusterer.from_dict(dumped)
    plain = {"clusterer": dumped, "rows": state["rows"]}
    return zlib.compress(json.dumps(plain, separators=(",", ":")).encode(), 3)


def _prune_quiet_stories(dumped: dict[str, Any], rows: dict[int, Any]) -> bool:
    lasts = [story["last_at"] for story in dumped["stories"] if story["last_at"] is not None]
    if not lasts:
        return False
    horizon = max(lasts) - 2 * dumped["settings"]["active_days"] * 86_400
    quiet = {
        story["id"]
        for story in dumped["stories"]
        if story["last_at"] is not None and story["last_at"] < horizon
    }
    if not quiet:
        return False
    dumped["stories"] = [story for story in dumped["stories"] if story["id"] not in quiet]
    kept = {key: [i for i in ids if i not in quiet] for key, ids in dumped["postings"].items()}
    dumped["postings"] = {key: ids for key, ids in kept.items() if ids}
    for story_id in quiet:
        rows.pop(story_id, None)
    return True


def decode_stories(payload: bytes) -> dict[str, Any]:
    plain = json.loads(zlib.decompress(payload))
    rows = {int(key): value for key, value in plain["rows"].items()}
    return {"clusterer": StoryClusterer.from_dict(plain["clusterer"]), "rows": rows}


def encode_tagger(model: TaggerModel) -> bytes:
    buffer = io.BytesIO()
    model.save(buffer)  # type: ignore[arg-type]  # np.savez takes a file object too
    return buffer.getvalue()


def decode_tagger(payload: bytes) -> TaggerModel:
    return TaggerModel.load(io.BytesIO(payload))  # type: ignore[arg-type]  # np.load too


def vector_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def vector_of(payload: bytes) -> np.ndarray:
    return np.frombuffer(payload, dtype="<f4")


def run_locked(*, name: str, change: Callable[[EnrichmentModel], Any]) -> Any:
    """Run `change` on the locked row inside a transaction; forget the copy if it fails."""
    try:
        with transaction.atomic():
            return change(model_lock(name=name))
    except BaseException:
        model_forget(name=name)
        raise


def encode_vectoriser(vectoriser: LsaVectoriser) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "vectoriser.pickle"
        vectoriser.save(path)
        return path.read_bytes()


def decode_vectoriser(payload: bytes) -> LsaVectoriser | None:
    """The stored vectoriser; None when it was saved by a different version of the class
    (a pickle keeps the old attributes), so the caller refits instead of failing."""
    # Only bytes this site wrote itself (the EnrichmentModel row) are loaded.
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "vectoriser.pickle"
        path.write_bytes(payload)
        try:
            vectoriser = LsaVectoriser.load(path)
        except (ValueError, AttributeError, ImportError, pickle.UnpicklingError):
            return None
    if not set(vars(LsaVectoriser())) <= set(vars(vectoriser)):
        return None
    return vectoriser
