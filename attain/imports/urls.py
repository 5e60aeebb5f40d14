"""Import pages (sales operations only)."""

from django.urls import path

from attain.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.job_list, name="job_list"),
    path("new/", views.job_create, name="job_create"),
    path("<int:pk>/", views.job_detail, name="job_detail"),
    path("<int:pk>/run/", views.job_run, name="job_run"),
    path("<int:pk>/check/", views.job_check, name="job_check"),
    path("<int:pk>/mapping/", views.job_mapping, name="job_mapping"),
    path("<int:pk>/problems/", views.job_problems, name="job_problems"),
    path("mappings/", views.mapping_list, name="mapping_list"),
    path("mappings/<int:pk>/download/", views.mapping_download, name="mapping_download"),
    path("templates/<slug:entity>/", views.entity_template, name="entity_template"),
]
