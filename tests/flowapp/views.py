from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def licences(request):
    return render(request, "flowapp/licences.html")
