from django.urls import path

from kefu.surveys import views

app_name = "surveys"
urlpatterns = [
    path("", views.survey_list, name="list"),
    path("<int:pk>/", views.survey_detail, name="detail"),
    path("<int:pk>/phone/", views.survey_phone, name="phone"),
    path("rectifications/<int:pk>/close/", views.rectification_close, name="close_rectification"),
    path("s/<str:token>/", views.answer, name="answer"),
]
