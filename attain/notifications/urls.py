"""Notification pages: the mails sent (sales operations) and unsubscribing from a mail."""

from django.urls import path

from attain.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="notification_list"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
