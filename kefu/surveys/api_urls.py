from django.urls import path

from kefu.surveys import api

urlpatterns = [path("surveys/answer/", api.answer_by_token, name="survey-answer")]
