"""URLs of the web UI (namespace ``web``), mounted at the site root."""

from __future__ import annotations

from django.urls import include, path

from .views import admin, auth, card_actions, cases, detention, language, participants, reports

app_name = "web"

urlpatterns = [
    path("", cases.home, name="home"),
    path("login/", auth.SignInView.as_view(), name="login"),
    path("logout/", auth.SignOutView.as_view(), name="logout"),
    path("language/", language.switch_language, name="set_language"),
    path("cases/", cases.case_list, name="cases"),
    path("cases/<uuid:pk>/", cases.case_card, name="case"),
    path("cases/<uuid:pk>/move/<slug:name>/", cases.case_move, name="case_move"),
    path("cases/<uuid:pk>/assign/", card_actions.assign, name="case_assign"),
    path(
        "cases/<uuid:pk>/qualification/",
        card_actions.change_qualification,
        name="case_requalify",
    ),
    path("cases/<uuid:pk>/participants/add/", participants.add, name="participant_add"),
    path(
        "cases/<uuid:pk>/participants/<uuid:pid>/edit/",
        participants.edit,
        name="participant_edit",
    ),
    path(
        "cases/<uuid:pk>/participants/<uuid:pid>/remove/",
        participants.remove,
        name="participant_remove",
    ),
    path("cases/<uuid:pk>/detention/", include(detention.urlpatterns)),
    path("reports/", reports.report_list, name="reports"),
    path("reports/new/", reports.report_new, name="report_new"),
    path("reports/articles/", reports.article_search, name="article_search"),
    path("reports/<uuid:pk>/", reports.report_detail, name="report"),
    path("reports/<uuid:pk>/<slug:decision>/", reports.report_decide, name="report_decide"),
    path("admin/", include(admin.urlpatterns)),
]
