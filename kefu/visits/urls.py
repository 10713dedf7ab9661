from django.urls import path

from kefu.visits import views

app_name = "visits"
urlpatterns = [
    path("", views.visit_list, name="list"),
    path("<int:pk>/", views.visit_detail, name="detail"),
    path("<int:pk>/result/", views.visit_result, name="result"),
    path("<int:pk>/assign/", views.visit_assign, name="assign"),
    path("<int:pk>/cancel/", views.visit_cancel, name="cancel"),
]
