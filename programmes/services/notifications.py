"""The notification outbox: write rows with the change that causes them; send due rows exactly once."""

from __future__ import annotations


def notifications_send_due() -> int:
    """Claim and send due notifications (to be built)."""
    return 0
