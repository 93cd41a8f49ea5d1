"""Personal-data rights: a person's own data page and downloads; the site admin's erasure page."""

from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("", views.my_data, name="my_data"),
    path("my-data.json", views.my_data_json, name="my_data_json"),
    path("my-data.html", views.my_data_html, name="my_data_html"),
    path("erase/", views.erase, name="erase"),
]
