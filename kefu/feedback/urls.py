from django.urls import path

from kefu.feedback import views

app_name = "feedback"
urlpatterns = [
    path("", views.feedback_list, name="list"),
    path("category/", views.set_category, name="set_category"),
    path("analysis/", views.analysis, name="analysis"),
]
