"""Web pages of the organisation app."""

from django.urls import path

from attain.organization import views

app_name = "organization"
urlpatterns = [
    path("", views.unit_list, name="unit_list"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("people/", views.person_list, name="person_list"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/move/", views.person_move, name="person_move"),
    path("people/<int:pk>/end/", views.person_end_employment, name="person_end_employment"),
    path("people/<int:pk>/manager/", views.person_set_manager, name="person_set_manager"),
    path("territories/", views.territory_list, name="territory_list"),
    path("territories/new/", views.territory_create, name="territory_create"),
    path("territories/<int:pk>/", views.territory_detail, name="territory_detail"),
    path("territories/<int:pk>/edit/", views.territory_edit, name="territory_edit"),
    path("territories/<int:pk>/assign/", views.territory_assign, name="territory_assign"),
]
