from django.urls import path

from wenming.draws import views

app_name = "draws"
urlpatterns = [
    path("campaign/<int:pk>/", views.campaign_draws, name="campaign"),
    path("<int:pk>/", views.draw_detail, name="detail"),
]
