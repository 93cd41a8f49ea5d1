"""URLs of matching and relationships (included into the programmes namespace)."""

from django.urls import path

from programmes.matching import views as matching

urlpatterns = [
    # A mentee's choice of mentor on their application
    path(
        "<int:programme_id>/applications/<int:enrolment_id>/mentors/",
        matching.mentor_suggestions_view,
        name="mentor_suggestions",
    ),
    path(
        "<int:programme_id>/applications/<int:enrolment_id>/mentors/<int:mentor_id>/request/",
        matching.mentor_request_view,
        name="mentor_request",
    ),
    # Matching
    path("<int:programme_id>/matching/", matching.matching_home, name="matching"),
    path("<int:programme_id>/matching/pool/", matching.matching_pool_refresh, name="matching_pool_refresh"),
    path("<int:programme_id>/matching/settings/", matching.matching_settings, name="matching_settings"),
    path("<int:programme_id>/matching/run/", matching.match_run_create_view, name="match_run_create"),
    path("<int:programme_id>/matching/runs/<int:run_id>/", matching.match_run_detail, name="match_run"),
    path(
        "<int:programme_id>/matching/runs/<int:run_id>/publish/",
        matching.match_run_publish_view,
        name="match_run_publish",
    ),
    path(
        "<int:programme_id>/matching/proposals/<int:proposal_id>/lock/",
        matching.proposal_lock_view,
        name="proposal_lock",
    ),
    path(
        "<int:programme_id>/matching/proposals/<int:proposal_id>/forbid/",
        matching.proposal_forbid_view,
        name="proposal_forbid",
    ),
    path(
        "<int:programme_id>/matching/proposals/<int:proposal_id>/reassign/",
        matching.proposal_reassign_view,
        name="proposal_reassign",
    ),
    path(
        "<int:programme_id>/matching/rules/<int:rule_id>/delete/",
        matching.pair_rule_delete_view,
        name="pair_rule_delete",
    ),
    path("<int:programme_id>/matching/mentors/search/", matching.mentor_search, name="mentor_search"),
    path("<int:programme_id>/matching/supply-demand/", matching.supply_demand, name="supply_demand"),
    # Relationships
    path(
        "<int:programme_id>/relationships/<int:relationship_id>/",
        matching.relationship_detail,
        name="relationship_detail",
    ),
    path(
        "<int:programme_id>/relationships/<int:relationship_id>/respond/",
        matching.relationship_respond_view,
        name="relationship_respond",
    ),
]
