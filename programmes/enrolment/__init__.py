"""Enrolment: recruitment, applications, invitations and access requests."""
