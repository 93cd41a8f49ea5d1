"""SCIM 2.0 provisioning (RFC 7643/7644) of people and groups, as Entra ID and Okta speak it.

A small DRF implementation of /Users and /Groups (django-scim2 pins older Django internals): bearer token per
identity provider, filters `attr eq "value"`, paging by startIndex/count, PATCH in Entra's dialect
(capitalised ops, "False" as a string, path-less replace, `members[value eq "id"]`). Deactivation closes the
account and hands the person's open programme work back through the withdrawal path.
"""
