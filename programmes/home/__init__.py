"""The home pages: a person's to-dos and the coordinator's dashboard, with the figures they show."""
