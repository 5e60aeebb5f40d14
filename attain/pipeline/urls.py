"""Web pages of the pipeline app."""

from django.urls import path

from attain.pipeline import views

app_name = "pipeline"
urlpatterns = [
    path("", views.deal_list, name="deal_list"),
    path("deals/", views.deal_list),
    path("deals/new/", views.deal_create, name="deal_create"),
    path("deals/<int:pk>/", views.deal_detail, name="deal_detail"),
    path("deals/<int:pk>/edit/", views.deal_edit, name="deal_edit"),
    path("deals/<int:pk>/delete/", views.deal_delete, name="deal_delete"),
    path("deals/<int:pk>/move/", views.deal_move, name="deal_move"),
    path("deals/<int:pk>/win/", views.deal_win, name="deal_win"),
    path("deals/<int:pk>/lose/", views.deal_lose, name="deal_lose"),
    path("deals/<int:pk>/reopen/", views.deal_reopen, name="deal_reopen"),
    path("win-rates/", views.win_rates, name="win_rates"),
    path("leads/", views.lead_list, name="lead_list"),
    path("leads/new/", views.lead_create, name="lead_create"),
    path("leads/<int:pk>/", views.lead_detail, name="lead_detail"),
    path("leads/<int:pk>/edit/", views.lead_edit, name="lead_edit"),
    path("leads/<int:pk>/delete/", views.lead_delete, name="lead_delete"),
    path("leads/<int:pk>/convert/", views.lead_convert, name="lead_convert"),
    path("leads/<int:pk>/qualify/", views.lead_qualify, name="lead_qualify"),
    path("activities/", views.activity_list, name="activity_list"),
    path("activities/new/", views.activity_create, name="activity_create"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/delete/", views.activity_delete, name="activity_delete"),
    path("stages/", views.stage_list, name="stage_list"),
    path("stages/new/", views.stage_create, name="stage_create"),
    path("stages/<int:pk>/edit/", views.stage_edit, name="stage_edit"),
    path("lost-reasons/", views.lostreason_list, name="lostreason_list"),
    path("lost-reasons/new/", views.lostreason_create, name="lostreason_create"),
    path("lost-reasons/<int:pk>/edit/", views.lostreason_edit, name="lostreason_edit"),
]
