from django.urls import path

from anjian.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/code/", views.login_otp_view, name="login_otp"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change_view, name="password_change"),
    path("profile/", views.profile_view, name="profile"),
    path("tokens/new/", views.token_create_view, name="token_create"),
    path("tokens/<int:pk>/revoke/", views.token_revoke_view, name="token_revoke"),
    path("two-factor/", views.otp_setup_view, name="otp_setup"),
    path("two-factor/disable/", views.otp_disable_view, name="otp_disable"),
    path("users/", views.UserListView.as_view(), name="user_list"),
    path("users/new/", views.user_create_view, name="user_create"),
    path("users/<int:pk>/", views.UserDetailView.as_view(), name="user_detail"),
    path("users/<int:pk>/deactivate/", views.user_deactivate_view, name="user_deactivate"),
    path("users/<int:pk>/activate/", views.user_activate_view, name="user_activate"),
    path("users/<int:pk>/unlock/", views.user_unlock_view, name="user_unlock"),
    path("users/<int:pk>/roles/new/", views.user_role_add_view, name="user_role_add"),
    path("roles/<int:pk>/revoke/", views.role_revoke_view, name="role_revoke"),
]
