"""Services of the people directory: writes that touch several models (the HRIS import)."""
