"""Dashboard pages."""

from django.urls import path

from attain.dashboards import records, views

app_name = "dashboards"
urlpatterns = [
    path("", views.dashboard_home, name="dashboard"),
    path("company/", views.company, name="company"),
    path("units/<int:pk>/", views.unit, name="unit"),
    path("sellers/<int:pk>/", views.seller, name="seller"),
    path("records/", records.records, name="records"),
]
