"""Matching: the pool, match runs and proposals, pair rules, mentee requests and relationships from
proposal to acceptance. The pure engine (no Django) is programmes.matching.engine."""
