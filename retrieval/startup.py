"""Opening the assistant the way the app and the CLIs start: the explicit verbs first (prepare the models,
build the default index when missing or stale), visibly through progress events, then loading.

An index folder named by the caller is only loaded, never rebuilt silently: its problem is raised.
"""
from __future__ import annotations

from pathlib import Path

from core.events import Progress
from retrieval.retriever import Retriever
from retrieval.settings import Settings


def open_retriever(index_dir: Path | None = None, encoder=None, progress: Progress | None = None,
                   child_process: bool = False, settings: Settings | None = None,
                   prepare: bool = True) -> Retriever:
    """A Retriever on index_dir, or on the default index (the bundled corpus plus added regulations).

    Args:
        prepare: run the verbs (models.prepare, index.prepare_index) for what is missing or stale; without
            it, a missing model or index raises ModelProblem / IndexProblem.
    """
    from core import paths
    from index import load_for, prepare_index
    from library import default_corpus_folders
    from models import load_encoder
    from models import prepare as prepare_models

    if encoder is None:
        if prepare and paths.model_dir_override() is None:
            prepare_models(progress=progress)
        encoder = load_encoder(child_process=child_process)
    if index_dir is not None:
        return Retriever(load_for(index_dir, encoder), encoder, settings)
    if not prepare:
        return Retriever(load_for(paths.default_index_dir(), encoder), encoder, settings)
    data = prepare_index(paths.default_index_dir(), default_corpus_folders(), encoder, progress)
    return Retriever(data, encoder, settings)
