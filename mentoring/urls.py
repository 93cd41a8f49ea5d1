"""The project's URLs: each app's own URLs under its prefix, plus health, admin and auth."""

from django.contrib import admin
from django.urls import include, path

from programmes.home.views import home as home_views

from . import health

handler403 = "people.views.error_403"
handler404 = "people.views.error_404"
handler500 = "people.views.error_500"

urlpatterns = [
    path("", home_views.home, name="home"),
    path("health/", health.health, name="health"),
    path("health/signed-in/", health.health_signed_in, name="health_signed_in"),
    path("accounts/", include("people.urls")),
    path("accounts/sso/saml/", include("people.sso.saml_urls")),
    path("programmes/", include("programmes.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("api/", include("evaluation.api_urls")),
    path("privacy/", include("privacy.urls")),
    path("scim/v2/", include("people.scim.urls")),
    path("admin/", admin.site.urls),
]
# No /media/ route, not even with DEBUG on: uploaded and exported files are streamed by views that check
# who may read them (programmes:resource_open, evaluation's export download), under random names.
