"""Evaluation: gold questions, metrics (ranx), reports."""
