"""Layout-level pages: home, sign-in, account, area overviews."""

from django.contrib.auth import views as auth_views
from django.urls import path

from attain.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", views.account, name="account"),
    path("account/language/", views.language_set, name="language_set"),
    path("account/email/", views.email_preferences_set, name="email_preferences_set"),
    path("account/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("area/<slug:key>/", views.area, name="area"),
]
