"""Services: writes that touch several models, notify someone or must be audited."""
