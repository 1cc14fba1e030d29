from django.urls import path

from wenming.ledger import views

app_name = "ledger"
urlpatterns = [
    path("", views.activity_list, name="list"),
    path("new/", views.activity_new, name="new"),
    path("<int:pk>/", views.activity_detail, name="detail"),
    path("<int:pk>/edit/", views.activity_edit, name="edit"),
    path("<int:pk>/delete/", views.activity_remove, name="delete"),
    path("evidence/", views.evidence, name="evidence"),
    path("quotas/", views.quotas, name="quotas"),
    path("binder/", views.binder, name="binder"),
    path("assignments/", views.assignment_table, name="assignments"),
    path("my-tasks/", views.my_tasks, name="my_tasks"),
    path("assignments/<int:pk>/done/", views.assignment_mark_done, name="assignment_done"),
]
