from django.urls import path

from wenming.titles import views

app_name = "titles"
urlpatterns = [
    path("", views.title_list, name="list"),
    path("export.xlsx", views.title_export, name="export"),
    path("<int:pk>/action/", views.title_action, name="action"),
    path("events/<int:unit>/", views.holder_event, name="event"),
]
