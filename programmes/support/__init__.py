"""Ongoing support of a running relationship: sessions, check-ins, concerns, coordinator contacts, resources,
reminders, closure and audited access to the pair's content."""
