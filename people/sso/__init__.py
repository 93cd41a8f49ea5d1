"""Single sign-on: OpenID Connect (and, later, SAML) beside the password form."""
