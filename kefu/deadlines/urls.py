from django.urls import path

from kefu.deadlines import views

app_name = "deadlines"
urlpatterns = [
    path("clocks/", views.clock_list, name="clock_list"),
    path("calendars/", views.calendar_list, name="calendar_list"),
    path("calendars/<slug:code>/", views.calendar_detail, name="calendar_detail"),
    path("calendars/<slug:code>/days/<str:day>/", views.calendar_day, name="calendar_day"),
    path("calendars/<slug:code>/hours/", views.calendar_hours, name="calendar_hours"),
    path("calendars/<slug:code>/import/", views.calendar_import, name="calendar_import"),
    path("calendars/<slug:code>/confirm/", views.calendar_confirm, name="calendar_confirm"),
    path("rules/", views.rule_list, name="rule_list"),
    path("rules/<str:key>/", views.rule_edit, name="rule_edit"),
]
