"""Sign-up and password reset (log-in, log-out and password change use django.contrib.auth's
views and our templates; django-axes locks out repeated failed log-ins)."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator

from accounts.services import password_reset_request, registration_errors, user_register
from config.throttling import throttle, throttled
from crm.forms import SignupForm, add_service_errors


@throttle("signup")
def signup(request):
    if request.user.is_authenticated:
        return redirect("today")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and not form.is_valid():
        # Every problem at once: the account's own checks (taken, weak) for the fields that parsed.
        accepted = {n: form.cleaned_data[n] for n in ("username", "email", "password") if n in form.cleaned_data}
        add_service_errors(form, ValidationError(registration_errors(**accepted) or {}))
    elif request.method == "POST":
        try:
            user = user_register(**form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                f"Welcome to Coffeechat! Times are shown on your clock ({user.profile.timezone}; change it in "
                "Settings). Start by adding a contact or importing your LinkedIn connections.",
            )
            return redirect("today")
    status = 400 if request.method == "POST" else 200
    return render(request, "registration/signup.html", {"form": form}, status=status)


@method_decorator(throttle("password_reset"), name="post")
class PasswordResetView(auth_views.PasswordResetView):
    """Queues the e-mail and answers at once, the same way whether or not an account uses the
    address; limited per client address and per address entered."""

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        refusal = throttled(self.request, "password_reset_email", subject=email.strip().casefold())
        if refusal is not None:
            return refusal
        password_reset_request(email=email)
        return HttpResponseRedirect(self.get_success_url())
