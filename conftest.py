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
