"""Evaluation models: outcome metrics, observations, cycles and results (see DESIGN.md)."""
