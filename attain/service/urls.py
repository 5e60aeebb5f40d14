"""Web pages of the service app (no delete page: complaints are resolved, never deleted)."""

from django.urls import path

from attain.service import views

app_name = "service"
urlpatterns = [
    path("", views.complaint_list, name="complaint_list"),
    path("complaints/", views.complaint_list),
    path("complaints/new/", views.complaint_create, name="complaint_create"),
    path("complaints/<int:pk>/", views.complaint_detail, name="complaint_detail"),
    path("complaints/<int:pk>/resolve/", views.complaint_resolve, name="complaint_resolve"),
    path("complaints/<int:pk>/reopen/", views.complaint_reopen, name="complaint_reopen"),
]
