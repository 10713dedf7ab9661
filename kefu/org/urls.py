from django.urls import path

from kefu.org import views

app_name = "org"
urlpatterns = [
    path("stations/", views.station_list, name="station_list"),
    path("stations/<int:pk>/", views.station_detail, name="station_detail"),
    path("stations/<int:pk>/retire/", views.station_retire, name="station_retire"),
    path("users/", views.user_list, name="user_list"),
]
