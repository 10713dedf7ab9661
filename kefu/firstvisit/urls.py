from django.urls import path

from kefu.firstvisit import views

app_name = "firstvisit"
urlpatterns = [
    path("", views.first_visit_list, name="list"),
    path("hand-over/", views.hand_over, name="hand_over"),
    path("needs/", views.need_list, name="needs"),
    path("needs/<int:pk>/", views.need_detail, name="need"),
    path("template/", views.template_edit, name="template"),
    path("<int:pk>/", views.first_visit_detail, name="detail"),
    path("<int:pk>/<str:action>/", views.first_visit_action, name="action"),
]
