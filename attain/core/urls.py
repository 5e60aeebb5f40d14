"""Settings pages owned by core."""

from django.urls import path

from attain.core import views

app_name = "core"
urlpatterns = [
    path("exchange-rates/", views.exchange_rate_list, name="exchange_rate_list"),
    path("exchange-rates/new/", views.exchange_rate_create, name="exchange_rate_create"),
]
