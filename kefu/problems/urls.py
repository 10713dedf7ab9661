from django.urls import path

from kefu.problems import views

app_name = "problems"
urlpatterns = [
    path("", views.summary, name="summary"),
    path("draft/", views.draft, name="draft"),
]
