"""Web pages of the goals app."""

from django.urls import path

from attain.goals import views

app_name = "goals"
urlpatterns = [
    path("", views.goal_list, name="goal_list"),
    path("mine/", views.my_goals, name="my_goals"),
    path("new/", views.goal_create, name="goal_create"),
    path("raise-the-bar/", views.goal_raise_the_bar, name="goal_raise_the_bar"),
    path("<int:pk>/", views.goal_detail, name="goal_detail"),
    path("<int:pk>/revise/", views.goal_revise, name="goal_revise"),
    path("<int:pk>/acknowledge/", views.goal_acknowledge, name="goal_acknowledge"),
    path("<int:pk>/milestones/new/", views.milestone_add, name="milestone_add"),
    path("<int:pk>/cascade/", views.goal_cascade, name="goal_cascade"),
]
