"""Foundations every other package may use: where files live and what the environment says (core.paths),
and the typed progress events that long verbs report (core.events). Imports nothing of the project."""
