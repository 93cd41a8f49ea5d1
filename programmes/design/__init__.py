"""Programme design: the programme page, team and policies, business goals, readiness and the needs survey."""
