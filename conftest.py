"""Pytest setup shared by every test folder: the markers that select real-model and browser tests."""

MARKERS = {
    "model": "uses the real embedding model (converted once per session)",
    "e2e": "drives the real app in headless Chromium",
    "slow": "takes more than a few seconds",
}


def pytest_configure(config):
    registered = {line.split(":")[0].strip() for line in config.getini("markers")}
    for name, description in MARKERS.items():
        if name not in registered:
            config.addinivalue_line("markers", f"{name}: {description}")


# fixtures that load, convert or train the real embedding model (tests/conftest.py): a test using any of them
# is a `model` test, whether or not it says so, so that `-m "not model"` never converts or trains anything
REAL_MODEL_FIXTURES = {"real_model_dir", "real_encoder", "st_encoder", "real_index_dir", "real_ranking_dir",
                       "product_encoder", "product_index_dir", "real_retriever", "pack_index_dir", "pack_retriever"}


def pytest_collection_modifyitems(config, items):
    import pytest

    for item in items:
        if REAL_MODEL_FIXTURES & set(getattr(item, "fixturenames", ())) and "model" not in item.keywords:
            item.add_marker(pytest.mark.model)
