from django.shortcuts import redirect

from .roles import reads_reports


def home(request):
    """Each kind of user lands on their own door."""
    if not request.user.is_authenticated:
        return redirect("login")
    if request.user.is_staff:
        return redirect("admin:index")
    if reads_reports(request.user):
        return redirect("dashboard")
    if request.user.has_perm("programs.add_periodvalue"):
        return redirect("results-report")
    return redirect("api-docs")
