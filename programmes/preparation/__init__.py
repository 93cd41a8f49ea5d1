"""Preparation: orientation, the mentoring agreement and development plans."""
