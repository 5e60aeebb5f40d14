"""Web pages of the recognition app."""

from django.urls import path

from attain.recognition import views

app_name = "recognition"
urlpatterns = [
    path("", views.feed, name="feed"),
    path("awards/", views.award_list, name="award_list"),
    path("awards/new/", views.award_create, name="award_create"),
    path("awards/<int:pk>/", views.award_detail, name="award_detail"),
    path("awards/<int:pk>/cheer/", views.award_cheer, name="award_cheer"),
    path("contests/", views.contest_list, name="contest_list"),
    path("contests/new/", views.contest_create, name="contest_create"),
    path("contests/<int:pk>/", views.contest_detail, name="contest_detail"),
    path("contests/<int:pk>/start/", views.contest_start, name="contest_start"),
    path("contests/<int:pk>/finish/", views.contest_finish, name="contest_finish"),
    path("contests/<int:pk>/cheer/", views.contest_cheer, name="contest_cheer"),
    path("motivation/", views.my_motivation, name="my_motivation"),
    path("people/<int:pk>/motivation/", views.motivation_detail, name="motivation_detail"),
]
